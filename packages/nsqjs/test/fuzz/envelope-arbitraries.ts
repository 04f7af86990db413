// NSQ message bodies for the envelope decoder: random bytes, bytes behind the envelope's
// magic, and real envelopes (random headers, `__proto__` and non-ASCII keys included, random
// payloads) bent in every way a frame can be: flipped bytes, truncation, trailing bytes,
// lying lengths and counts, other versions. Each is handed over as a Buffer, a view into a
// larger allocation, or a plain Uint8Array.
import fc from 'fast-check';
import { encodeEnvelope } from '../../src/index.js';

const MAGIC = [0x00, 0xf5, 0x54, 0x48];

const headerKey = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('traceparent', 'tracestate', 'baggage', 'b3', 'uber-trace-id', '__proto__', 'constructor', 'prototype', '0', '7') },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }) },
);

/** A header set the encoder accepts: unique keys (lone surrogates become U+FFFD on the wire). */
const headersArb = fc.uniqueArray(fc.tuple(headerKey, fc.string({ unit: 'binary', maxLength: 40 })), { maxLength: 8, selector: ([key]) => key }).map((entries) => {
  const headers: Record<string, string> = {};
  for (const [key, value] of entries) Object.defineProperty(headers, key, { value, enumerable: true, writable: true, configurable: true });
  return headers;
});

const payloadArb = fc.oneof(
  { weight: 6, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  { weight: 1, arbitrary: fc.constantFrom(new Uint8Array(0), Uint8Array.from(MAGIC), Uint8Array.from([...MAGIC, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0])) },
);

/** A valid envelope, with the headers and payload it was built from. */
export const validEnvelope = fc.tuple(payloadArb, headersArb).map(([payload, headers]) => ({
  payload: Buffer.from(payload),
  headers,
  bytes: encodeEnvelope(Buffer.from(payload), headers),
}));

type Mutation = (bytes: Buffer) => Buffer;

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([at, xor]): Mutation => (b) => {
    const copy = Buffer.from(b);
    if (copy.length > 0) copy[at % copy.length]! ^= xor;
    return copy;
  }),
  fc.nat().map((cut): Mutation => (b) => b.subarray(0, cut % (b.length + 1))),
  fc.uint8Array({ minLength: 1, maxLength: 8 }).map((tail): Mutation => (b) => Buffer.concat([b, tail])),
  // A lying headers length (offset 5) or payload length (after the block), or header count (offset 9).
  fc.tuple(fc.constantFrom('H', 'P', 'count'), fc.oneof(fc.constantFrom(0, 1, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff), fc.nat())).map(([field, value]): Mutation => (b) => {
    const copy = Buffer.from(b);
    if (copy.length < 13) return copy;
    if (field === 'H') copy.writeUInt32BE(value >>> 0, 5);
    else if (field === 'count') copy.writeUInt16BE(value & 0xffff, 9);
    else {
      const h = b.readUInt32BE(5);
      if (9 + h + 4 <= copy.length) copy.writeUInt32BE(value >>> 0, 9 + h);
    }
    return copy;
  }),
  fc.integer({ min: 0, max: 255 }).map((version): Mutation => (b) => {
    const copy = Buffer.from(b);
    if (copy.length > 4) copy[4] = version;
    return copy;
  }),
);

/** How the bytes reach the decoder: a Buffer, a view at an offset into a larger one, a plain Uint8Array. */
const presentation = fc.constantFrom('buffer', 'view', 'uint8array').map((kind) => (bytes: Buffer): Uint8Array => {
  if (kind === 'buffer') return Buffer.from(bytes);
  if (kind === 'uint8array') return new Uint8Array(bytes);
  return Buffer.concat([Buffer.from([0xde, 0xad, 0xbe]), bytes, Buffer.from([0xef])]).subarray(3, 3 + bytes.length);
});

/** Any body an NSQ reader could receive. */
export const hostileBody: fc.Arbitrary<Uint8Array> = fc
  .tuple(
    fc.oneof(
      { weight: 3, arbitrary: fc.uint8Array({ maxLength: 80 }).map((b) => Buffer.from(b)) },
      { weight: 3, arbitrary: fc.uint8Array({ maxLength: 60 }).map((b) => Buffer.from([...MAGIC, ...b])) },
      { weight: 3, arbitrary: validEnvelope.map((e) => e.bytes) },
      { weight: 6, arbitrary: fc.tuple(validEnvelope, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([e, ms]) => ms.reduce((b, m) => m(b), e.bytes)) },
    ),
    presentation,
  )
  .map(([bytes, present]) => present(bytes));

/** Whether a key is an array index: such keys are ordered first by every JavaScript object. */
export const isIndexKey = (key: string): boolean => /^(0|[1-9]\d*)$/.test(key) && Number(key) < 2 ** 32 - 1;
