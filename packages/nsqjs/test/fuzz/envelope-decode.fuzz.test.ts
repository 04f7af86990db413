// Fuzzes the NSQ envelope decoder (docs/nsq-envelope.md) with hostile bodies. It never
// throws, never touches the body, and either says "not an envelope" (the body is delivered
// unchanged) or returns headers and a payload that are exactly what the frame holds: the
// payload is a view on the body's own bytes, and encoding the result again gives the body.
import fc from 'fast-check';
import { MAX_DECODED_HEADERS } from '../../src/decode-envelope.js';
import { describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeEnvelope } from '../../src/index.js';
import { fuzzParameters, fuzzTimeout } from '../../../core/test/fuzz/support/fuzz-config.js';
import { PropertyViolation, runGuarded } from '../../../core/test/fuzz/support/run-guarded.js';
import { hostileBody, isIndexKey, validEnvelope } from './envelope-arbitraries.js';

const MiB = 1024 * 1024;

function checkDecoded(body: Uint8Array): void {
  const decoded = runGuarded(body, decodeEnvelope);
  if (decoded === undefined) return;
  const { version, headers, body: payload } = decoded;
  if (!Number.isInteger(version) || version < 1 || version > 255) throw new PropertyViolation(`version ${version}`);
  if (Object.getPrototypeOf(headers) !== Object.prototype) throw new PropertyViolation('headers without Object.prototype');
  // The payload is the tail of the body's own memory: no copy, nothing beyond the body.
  if (payload.buffer !== body.buffer || payload.byteOffset + payload.length !== body.byteOffset + body.length || payload.byteOffset < body.byteOffset) {
    throw new PropertyViolation('the payload is not the tail of the body');
  }
  if (version !== 1) {
    if (Object.keys(headers).length !== 0) throw new PropertyViolation('headers read from a future version');
    return;
  }
  for (const key of Object.keys(headers)) {
    if (key === '' || typeof headers[key] !== 'string') throw new PropertyViolation(`header ${JSON.stringify(key)} is not a non-empty key with text`);
  }
  // Decoding is exact: encoding what was read rebuilds the body (index-like keys aside, which
  // every JavaScript object reorders; then the header set must still be the same).
  const again = encodeEnvelope(Buffer.from(payload), headers);
  if (!Object.keys(headers).some(isIndexKey)) {
    if (Buffer.compare(again, Buffer.from(body.buffer, body.byteOffset, body.length)) !== 0) throw new PropertyViolation('re-encoding does not give the body back');
  } else if (JSON.stringify(decodeEnvelope(again)?.headers) !== JSON.stringify(headers)) {
    throw new PropertyViolation('re-encoding changes the headers');
  }
}

describe('NSQ envelope decoder under hostile bodies', () => {
  it(
    'never throws, never writes, and reads exactly what the frame holds or nothing',
    () => {
      fc.assert(fc.property(hostileBody, (body) => checkDecoded(body)), fuzzParameters());
    },
    fuzzTimeout(),
  );

  it(
    'a valid envelope gives back its headers and the payload bytes, unchanged',
    () => {
      fc.assert(
        fc.property(validEnvelope, ({ payload, headers, bytes }) => {
          const decoded = runGuarded(bytes, decodeEnvelope);
          if (decoded === undefined) throw new PropertyViolation('a valid envelope was not recognised');
          if (Buffer.compare(decoded.body, payload) !== 0) throw new PropertyViolation('the payload bytes changed');
          const expected = Object.fromEntries(Object.keys(headers).map((key) => [key, Buffer.from(headers[key]!, 'utf8').toString('utf8')]));
          if (JSON.stringify(Object.entries(decoded.headers).sort()) !== JSON.stringify(Object.entries(expected).sort())) {
            throw new PropertyViolation('the headers changed');
          }
        }),
        fuzzParameters(),
      );
    },
    fuzzTimeout(),
  );

  it('anything that is not bytes is "not an envelope"', () => {
    for (const value of [null, undefined, 'envelope', 42, [0x00, 0xf5, 0x54, 0x48], { length: 20 }, new ArrayBuffer(20), new Uint16Array(20)]) {
      expect(runGuarded(value, (input) => decodeEnvelope(input as Uint8Array))).toBeUndefined();
    }
  });

  it('megabyte bodies: raw, behind the magic, and lying about their sizes, each decided in well under a second', () => {
    const magic = Buffer.from([0x00, 0xf5, 0x54, 0x48, 0x01]);
    const lyingCount = Buffer.alloc(MiB);
    magic.copy(lyingCount);
    lyingCount.writeUInt32BE(MiB - 13, 5);
    lyingCount.writeUInt16BE(0xffff, 9);
    const manyHeaders = encodeEnvelope(Buffer.alloc(1), Object.fromEntries(Array.from({ length: 0xffff }, (_, i) => [`k${i}`, 'v'.repeat(8)])));
    const hugePayload = encodeEnvelope(Buffer.alloc(MiB, 0x61), { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
    for (const body of [Buffer.alloc(MiB, 0xff), Buffer.concat([magic, Buffer.alloc(MiB)]), lyingCount, manyHeaders, hugePayload]) {
      const started = performance.now();
      runGuarded(body, decodeEnvelope);
      expect(performance.now() - started).toBeLessThan(1_000);
    }
    // A valid envelope of 65 535 headers: its payload is unwrapped, and only the first
    // MAX_DECODED_HEADERS headers are decoded (docs/nsq-envelope.md §5).
    const decoded = decodeEnvelope(manyHeaders);
    expect(decoded?.body).toEqual(Buffer.alloc(1));
    expect(Object.keys(decoded!.headers)).toHaveLength(MAX_DECODED_HEADERS);
    expect(decoded?.headers.k255).toBe('vvvvvvvv');
    expect(decoded?.headers.k256).toBeUndefined();
    expect(decodeEnvelope(hugePayload)?.body.length).toBe(MiB);
  });
});
