import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeEnvelope } from '../src/index.js';

const MAGIC = Buffer.from('00f55448', 'hex');

// Keys are never empty; both sides use any Unicode scalar value (no lone surrogates, which
// have no UTF-8 form), including the key `__proto__` and numeric keys.
const key = fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 24 }), fc.constantFrom('__proto__', '0', 'traceparent'));
const headers = fc.dictionary(key, fc.string({ unit: 'binary', maxLength: 64 }), { maxKeys: 12 });
const body = fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes));
const envelope = fc.tuple(body, headers).map(([b, h]) => encodeEnvelope(b, h));

function withByte(data: Buffer, offset: number, value: number): Buffer {
  const copy = Buffer.from(data);
  copy[offset] = value;
  return copy;
}

describe('encodeEnvelope / decodeEnvelope round trip', () => {
  it('gives back the body byte for byte and every header', () => {
    fc.assert(
      fc.property(body, headers, (b, h) => {
        const decoded = decodeEnvelope(encodeEnvelope(b, h));
        expect(decoded?.version).toBe(1);
        expect(decoded!.body.equals(b)).toBe(true);
        expect(decoded!.headers).toEqual(h);
        expect(Object.getPrototypeOf(decoded!.headers)).toBe(Object.prototype);
      }),
      { numRuns: 300 },
    );
  });

  it('never modifies its arguments, and the decoded body is a view on the envelope', () => {
    const b = Buffer.from('payload');
    const h = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
    const encoded = encodeEnvelope(b, h);
    expect(b.toString()).toBe('payload');
    expect(h).toEqual({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
    const decoded = decodeEnvelope(encoded)!;
    expect(decoded.body.buffer).toBe(encoded.buffer);
    expect(decoded.body.byteOffset).toBe(encoded.byteOffset + encoded.length - 7);
  });

  it('accepts a plain Uint8Array as well as a Buffer', () => {
    const encoded = encodeEnvelope(new Uint8Array([1, 2, 3]), { a: 'b' });
    const decoded = decodeEnvelope(new Uint8Array(encoded));
    expect(decoded?.headers).toEqual({ a: 'b' });
    expect([...decoded!.body]).toEqual([1, 2, 3]);
  });
});

describe('decodeEnvelope on what is not an envelope', () => {
  it('never throws on arbitrary bytes, and finds no envelope without the magic', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        const data = Buffer.from(bytes);
        const decoded = decodeEnvelope(data);
        if (!data.subarray(0, 4).equals(MAGIC)) expect(decoded).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on random junk after the magic; whatever it accepts is a self-consistent frame', () => {
    const tail = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      // a plausible version byte and small lengths make the decoder go deeper
      fc.tuple(fc.constantFrom(1, 2), fc.integer({ min: 0, max: 24 }), fc.uint8Array({ maxLength: 40 })).map(([v, h, rest]) => {
        const head = Buffer.alloc(5);
        head[0] = v;
        head.writeUInt32BE(h, 1);
        return Buffer.concat([head, rest]);
      }),
    );
    fc.assert(
      fc.property(tail, (junk) => {
        const data = Buffer.concat([MAGIC, junk]);
        const decoded = decodeEnvelope(data);
        if (decoded === undefined) return;
        const h = data.readUInt32BE(5);
        expect(13 + h + decoded.body.length).toBe(data.length);
        expect(decoded.body.equals(data.subarray(data.length - decoded.body.length))).toBe(true);
        if (decoded.version === 1) expect(encodeEnvelope(decoded.body, decoded.headers).length).toBe(data.length);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects every truncation of a valid envelope', () => {
    fc.assert(
      fc.property(envelope, fc.nat(), (data, cut) => {
        const end = cut % data.length;
        expect(decodeEnvelope(data.subarray(0, end))).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('rejects a valid envelope followed by any extra bytes', () => {
    fc.assert(
      fc.property(envelope, fc.uint8Array({ minLength: 1, maxLength: 16 }), (data, extra) => {
        expect(decodeEnvelope(Buffer.concat([data, extra]))).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('rejects a payload length that lies, by any amount', () => {
    fc.assert(
      fc.property(envelope, fc.integer({ min: 0, max: 0xffffffff }), (data, lie) => {
        const h = data.readUInt32BE(5);
        const p = data.readUInt32BE(9 + h);
        fc.pre(lie !== p);
        const copy = Buffer.from(data);
        copy.writeUInt32BE(lie, 9 + h);
        expect(decodeEnvelope(copy)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('rejects a headers length that runs past the body', () => {
    fc.assert(
      fc.property(envelope, fc.integer({ min: 0, max: 0xffffffff }), (data, lie) => {
        fc.pre(lie > data.length - 13);
        const copy = Buffer.from(data);
        copy.writeUInt32BE(lie, 5);
        expect(decodeEnvelope(copy)).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });

  it('rejects a header count that lies, up to 65535', () => {
    fc.assert(
      fc.property(envelope, fc.integer({ min: 0, max: 0xffff }), (data, lie) => {
        fc.pre(lie !== data.readUInt16BE(9));
        const copy = Buffer.from(data);
        copy.writeUInt16BE(lie, 9);
        expect(decodeEnvelope(copy)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('rejects a huge count at once, without walking 65535 entries', () => {
    const data = Buffer.from('00f5544801000000ff' + 'ffff' + '00'.repeat(253) + '00000000', 'hex');
    expect(data.length).toBe(13 + 255);
    expect(decodeEnvelope(data)).toBeUndefined();
  });

  it('rejects version 0 and accepts every later version by its frame alone', () => {
    const v1 = encodeEnvelope(Buffer.from('x'), { k: 'v' });
    expect(decodeEnvelope(withByte(v1, 4, 0))).toBeUndefined();
    for (const version of [2, 3, 127, 255]) {
      const decoded = decodeEnvelope(withByte(v1, 4, version));
      expect(decoded).toEqual({ version, headers: {}, body: Buffer.from('x') });
    }
  });

  it('rejects invalid UTF-8 in keys and values: overlong forms, surrogates, stray continuation bytes', () => {
    const base = encodeEnvelope(Buffer.alloc(0), { ab: 'cd' });
    // key bytes at 13..14, value bytes at 17..18
    expect(decodeEnvelope(withByte(withByte(base, 13, 0xc0), 14, 0x80))).toBeUndefined();
    expect(decodeEnvelope(withByte(base, 17, 0x80))).toBeUndefined();
    expect(decodeEnvelope(withByte(base, 18, 0xf5))).toBeUndefined();
    expect(decodeEnvelope(base)?.headers).toEqual({ ab: 'cd' });
  });

  it('returns undefined, never throws, for values that are not bytes', () => {
    for (const value of [undefined, null, 'text', 42, {}, [0, 245, 84, 72], new ArrayBuffer(20)]) {
      expect(decodeEnvelope(value as unknown as Buffer)).toBeUndefined();
    }
  });
});

describe('encodeEnvelope refuses what the format cannot carry', () => {
  it('an empty key, a key or value over 65535 bytes, a value that is not a string, a body that is not bytes', () => {
    expect(() => encodeEnvelope(Buffer.alloc(0), { '': 'v' })).toThrow(RangeError);
    expect(() => encodeEnvelope(Buffer.alloc(0), { ['k'.repeat(65_536)]: 'v' })).toThrow(RangeError);
    expect(() => encodeEnvelope(Buffer.alloc(0), { k: 'é'.repeat(32_768) })).toThrow(RangeError);
    expect(() => encodeEnvelope(Buffer.alloc(0), { k: 1 as unknown as string })).toThrow(TypeError);
    expect(() => encodeEnvelope('text' as unknown as Buffer, {})).toThrow(TypeError);
  });

  it('carries the largest key and value the format allows', () => {
    const h = { ['k'.repeat(65_535)]: 'v'.repeat(65_535) };
    const decoded = decodeEnvelope(encodeEnvelope(Buffer.from('p'), h));
    expect(decoded?.headers).toEqual(h);
  });
});
