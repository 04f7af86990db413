import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fieldEntrySize, fieldTableSize, stringTableBound } from '../src/header-table-size.js';

// amqplib's own encoder: the sizes must match it byte for byte.
const require = createRequire(import.meta.url);
const codec = require(join(dirname(require.resolve('amqplib')), 'lib', 'codec.js')) as {
  encodeTable(buffer: Buffer, table: object, offset: number): number;
};
const encoded = (table: object) => codec.encodeTable(Buffer.alloc(1 << 20), table, 0);

const scalar = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 }),
  fc.boolean(),
  fc.constant(null),
  fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)),
);
const { table } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('value'), { maxLength: 4 }), tie('table')),
  // undefined only as a table value: amqplib skips it there, and throws on it in an array.
  table: fc.dictionary(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }), fc.oneof(tie('value'), fc.constant(undefined)), {
    maxKeys: 5,
  }),
}));

describe('fieldTableSize matches amqplib’s encodeTable', () => {
  it('for every type amqplib encodes, typed values included', () => {
    const headers = {
      s: 'héllo ✓',
      byte: -128,
      short: 128,
      int: -40_000,
      long: 2 ** 40,
      double: 1.5,
      yes: true,
      none: null,
      skipped: undefined,
      bytes: Buffer.from([1, 2, 3]),
      list: ['a', 1, [true]],
      table: { nested: { deeper: 'x' } },
      ts: { '!': 'timestamp', value: 1_700_000_000 },
      f: { '!': 'float', value: 0.5 },
      u8: { '!': 'uint8', value: 200 },
      dec: { '!': 'decimal', value: { places: 2, digits: 1234 } },
    };
    expect(fieldTableSize(headers)).toBe(encoded(headers));
  });

  it('counts inherited enumerable keys, as amqplib’s for…in does', () => {
    const headers = Object.create({ inherited: 'yes' }) as Record<string, unknown>;
    headers.own = 'too';
    expect(fieldTableSize(headers)).toBe(encoded(headers));
    expect(fieldTableSize(headers)).toBe(fieldTableSize({ own: 'too', inherited: 'yes' }));
  });

  it('for random tables', () => {
    fc.assert(
      fc.property(table, (headers) => {
        expect(fieldTableSize(headers)).toBe(encoded(headers));
      }),
    );
  });

  it('sizes one entry as key plus value', () => {
    expect(fieldEntrySize('traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')).toBe(1 + 11 + 1 + 4 + 55);
    expect(fieldEntrySize('gone', undefined)).toBe(0);
  });
});

describe('stringTableBound', () => {
  it('is never below the exact size of a table of strings, whatever their characters', () => {
    const tables = [
      {},
      { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
      { 'content-type': 'application/json', baggage: 'k=v,é=ü', skipped: undefined },
      { 'ключ': '値'.repeat(100), emoji: '😀'.repeat(50) },
    ];
    for (const table of tables) expect(stringTableBound(table)).toBeGreaterThanOrEqual(fieldTableSize(table));
  });

  it('gives Infinity as soon as a value is not a string (its size is then computed exactly)', () => {
    expect(stringTableBound({ a: 'x', n: 1 })).toBe(Infinity);
    expect(stringTableBound({ b: Buffer.from('x') })).toBe(Infinity);
  });
});
