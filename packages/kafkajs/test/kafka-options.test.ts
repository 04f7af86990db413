import { describe, expect, it } from 'vitest';
import { keyAttribute, offsetAttribute } from '../src/message-attributes.js';
import { parseServerAddress, resolveKafkaOptions } from '../src/kafka-options.js';

describe('parseServerAddress', () => {
  it.each([
    ['kafka.local:9092', { address: 'kafka.local', port: 9092 }],
    ['kafka.local', { address: 'kafka.local', port: undefined }],
    ['[::1]:9092', { address: '::1', port: 9092 }],
    ['[::1]', { address: '::1', port: undefined }],
    ['::1', { address: '::1', port: undefined }],
    [' 10.0.0.5:19092 ', { address: '10.0.0.5', port: 19092 }],
    ['host:http', { address: 'host', port: undefined }],
  ])('%s', (input, expected) => {
    expect(parseServerAddress(input)).toEqual(expected);
  });

  it('turns the options into the attributes every span shares (messaging.system is named when used)', () => {
    expect(resolveKafkaOptions({ clientId: 'c', serverAddress: 'b:1' }).common).toEqual({
      'messaging.client.id': 'c',
      'server.address': 'b',
      'server.port': 1,
    });
    expect(resolveKafkaOptions(undefined).common).toEqual({});
    expect(() => resolveKafkaOptions({ clientId: 5 as unknown as string })).toThrow(TypeError);
  });
});

describe('message attributes', () => {
  it('keeps string keys, decodes UTF-8 keys with their BOM, leaves out keys that are not text', () => {
    expect(keyAttribute('order-7')).toBe('order-7');
    expect(keyAttribute(Buffer.from('clé'))).toBe('clé');
    expect(keyAttribute(Buffer.from([0xef, 0xbb, 0xbf, 0x61]))).toBe('\ufeffa');
    expect(keyAttribute(Buffer.from([0xff, 0x00]))).toBeUndefined();
    expect(keyAttribute(null)).toBeUndefined();
    expect(keyAttribute(Buffer.alloc(0))).toBe('');
  });

  it('reads offsets as integers only when exact', () => {
    expect(offsetAttribute('42')).toBe(42);
    expect(offsetAttribute('9007199254740993')).toBeUndefined();
    expect(offsetAttribute('-1')).toBeUndefined();
    expect(offsetAttribute('')).toBeUndefined();
    expect(offsetAttribute(undefined)).toBeUndefined();
  });
});
