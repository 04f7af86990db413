/**
 * Hand-written hex checks for trace and span ids: table lookups, no regular expression and
 * no intermediate string, because every inject and extract runs them on every message.
 */

const LOWER = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) LOWER[c] = 1;
for (let c = 0x61; c <= 0x66; c++) LOWER[c] = 1;

const ZERO = 0x30;

// Checked without branches per character: a table lookup ANDed over the id, and an OR of
// (code ^ '0') that is zero only for an all-zero id.
const LOWER_256 = new Uint8Array(256);
LOWER_256.set(LOWER);

/**
 * Whether `source[start, end)` is lowercase hex and not all zeros: the shape of every W3C and
 * B3 id (W3C trace-context §3.2.2.3–4 "HEXDIGLC", "All zeroes forbidden"; b3-propagation
 * "lower-hex"). Text or bytes; positions past the end fail the check.
 */
export function isLowerHexIdAt(source: string | Uint8Array, start: number, end: number): boolean {
  if (end > source.length || start >= end) return false;
  let ok = 1;
  let nonZero = 0;
  if (typeof source === 'string') {
    for (let i = start; i < end; i++) {
      const c = source.charCodeAt(i);
      ok &= c < 256 ? LOWER_256[c]! : 0;
      nonZero |= c ^ ZERO;
    }
  } else {
    for (let i = start; i < end; i++) {
      const c = source[i]!;
      ok &= LOWER_256[c]!;
      nonZero |= c ^ ZERO;
    }
  }
  return ok === 1 && nonZero !== 0;
}

/** Whether one character code is a lowercase hex digit. */
export function isLowerHexChar(c: number): boolean {
  return c < 128 && LOWER[c] === 1;
}

/** The value of a hex digit already known to be valid (either case). */
export function hexDigitValue(c: number): number {
  return c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57;
}

const PADDING = '00000000000000000000000000000000';

/** Left-pads a hex id with zeros to `length` characters (64-bit B3 and short Jaeger ids). */
export function padHex(id: string, length: number): string {
  return id.length >= length ? id : PADDING.slice(0, length - id.length) + id;
}

/**
 * Whether a span context's ids can be written as they are: 32 and 16 lowercase hex digits,
 * not all zeros. Stricter than the API's `isSpanContextValid` (which some versions let
 * uppercase through), so that tracehop never writes an id a receiver must reject.
 */
export function hasWritableIds(spanContext: { traceId: string; spanId: string }): boolean {
  // One span context is often injected many times in a row (a batch sent under one span,
  // propagate-only mode); span contexts are immutable in practice, so the last one checked
  // is remembered by identity.
  if (spanContext === lastWritable) return true;
  const { traceId, spanId } = spanContext;
  const writable =
    typeof traceId === 'string' &&
    typeof spanId === 'string' &&
    traceId.length === 32 &&
    spanId.length === 16 &&
    isLowerHexIdAt(traceId, 0, 32) &&
    isLowerHexIdAt(spanId, 0, 16);
  if (writable) lastWritable = spanContext;
  return writable;
}

let lastWritable: object | undefined;

/**
 * A span context's trace flags as a byte. The API types them as a number, but a foreign or
 * broken span context may hold anything (a BigInt would make `&` throw): not a number, no flags.
 */
export function traceFlagsOf(spanContext: { traceFlags?: unknown }): number {
  const flags = spanContext.traceFlags;
  return typeof flags === 'number' ? flags & 0xff : 0;
}
