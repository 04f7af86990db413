// Issue 14: decodeEnvelope never throws, whatever it is given; and its work is linear.
import { describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeEnvelope } from '../src/index.js';

const valid = encodeEnvelope(Buffer.from('payload'), { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });

describe('decodeEnvelope never throws', () => {
  const hostile: Array<[string, () => unknown]> = [
    ['a Proxy of a valid envelope', () => new Proxy(valid, {})],
    ['a Proxy whose get throws', () => new Proxy(new Uint8Array(valid), { get: () => { throw new Error('get'); } })],
    ['a Uint8Array whose length throws', () => Object.defineProperty(new Uint8Array(valid), 'length', { get: () => { throw new Error('length'); } })],
    ['a Buffer whose length lies', () => Object.defineProperty(Buffer.from(valid), 'length', { value: 1e9 })],
    ['a Uint8Array on a detached buffer', () => {
      const bytes = new Uint8Array(valid);
      structuredClone(bytes.buffer, { transfer: [bytes.buffer] });
      return bytes;
    }],
    ['not bytes at all', () => ({ length: 20, 0: 0x00 })],
  ];

  it.each(hostile)('%s', (_, make) => {
    expect(() => decodeEnvelope(make() as Uint8Array)).not.toThrow();
  });

  it('a real envelope still decodes', () => {
    expect(decodeEnvelope(valid)?.headers.traceparent).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
  });
});
