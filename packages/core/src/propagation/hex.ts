/**
 * Hand-written hex checks for trace and span ids: table lookups, no regular expression and
 * no intermediate string, because every inject and extract runs them on every message.
 */

const LOWER = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) LOWER[c] = 1;
for (let c = 0x61; c <= 0x66; c++) LOWER[c] = 1;

const ZERO = 0x30;

// Checked without branches per character: a table lookup (of the low byte) ANDed over the
// id, and an OR of (code ^ '0'), which is zero only for an all-zero id and above 0xff only
// when some character is not a byte at all (whose low byte alone might look like hex).
const LOWER_BYTE = new Uint8Array(256);
LOWER_BYTE.set(LOWER);

/**
 * Whether `source[start, end)` is lowercase hex and not all zeros: the shape of every W3C and
 * B3 id (W3C trace-context §3.2.2.3–4 "HEXDIGLC", "All zeroes forbidden"; b3-propagation
 * "lower-hex"). Text or bytes; positions past the end fail the check.
 */
export function isLowerHexIdAt(source: string | Uint8Array, start: number, end: number): boolean {
  if (end > source.length || start >= end) return false;
  return typeof source === 'string' ? isLowerHexText(source, start, end) : isLowerHexBytes(source, start, end);
}

// One loop per representation, four characters per step (ids are 16 or 32 long): every
// inject and extract runs these on 48 characters, and the unrolled form checks them in
// about three quarters of the time of one character per step. Callers that know what they
// hold call the loop for it directly: a call site that only ever sees one representation
// stays monomorphic, and the check is inlined there.

/** `isLowerHexIdAt` for text; `end` must not be past the end. */
export function isLowerHexText(t: string, start: number, end: number): boolean {
  let ok = 1;
  let nonZero = 0;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const c0 = t.charCodeAt(i);
    const c1 = t.charCodeAt(i + 1);
    const c2 = t.charCodeAt(i + 2);
    const c3 = t.charCodeAt(i + 3);
    ok &= LOWER_BYTE[c0 & 0xff]! & LOWER_BYTE[c1 & 0xff]! & LOWER_BYTE[c2 & 0xff]! & LOWER_BYTE[c3 & 0xff]!;
    nonZero |= (c0 ^ ZERO) | (c1 ^ ZERO) | (c2 ^ ZERO) | (c3 ^ ZERO);
  }
  for (; i < end; i++) {
    const c = t.charCodeAt(i);
    ok &= LOWER_BYTE[c & 0xff]!;
    nonZero |= c ^ ZERO;
  }
  return ok === 1 && nonZero !== 0 && nonZero <= 0xff;
}

/** `isLowerHexIdAt` for bytes; `end` must not be past the end. */
export function isLowerHexBytes(b: Uint8Array, start: number, end: number): boolean {
  let ok = 1;
  let nonZero = 0;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const c0 = b[i]!;
    const c1 = b[i + 1]!;
    const c2 = b[i + 2]!;
    const c3 = b[i + 3]!;
    ok &= LOWER_BYTE[c0]! & LOWER_BYTE[c1]! & LOWER_BYTE[c2]! & LOWER_BYTE[c3]!;
    nonZero |= (c0 ^ ZERO) | (c1 ^ ZERO) | (c2 ^ ZERO) | (c3 ^ ZERO);
  }
  for (; i < end; i++) {
    const c = b[i]!;
    ok &= LOWER_BYTE[c]!;
    nonZero |= c ^ ZERO;
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
 * Whether a span context's ids, read once by the caller, can be written as they are: 32 and
 * 16 lowercase hex digits, not all zeros. Stricter than the API's `isSpanContextValid` (which
 * some versions let uppercase through), so that tracehop never writes an id a receiver must
 * reject. Callers pass the values they will write, never the span context: a field read
 * again after the check (an accessor, a Proxy) could hold something else by then.
 */
export function areWritableIds(traceId: unknown, spanId: unknown): traceId is string {
  // The last pair found writable is remembered by value, not by span-context identity: a
  // span context's fields can be reassigned after a check (issue 14: a valid context whose
  // traceId then became 'ZZZ\r\nx-injected: 1' was written unchecked). Strings are
  // immutable, so an id equal to one already checked is equally valid.
  if (traceId === lastTraceId && spanId === lastSpanId && traceId !== undefined) return true;
  const writable =
    typeof traceId === 'string' &&
    typeof spanId === 'string' &&
    traceId.length === 32 &&
    spanId.length === 16 &&
    isLowerHexText(traceId, 0, 32) &&
    isLowerHexText(spanId, 0, 16);
  if (writable) {
    lastTraceId = traceId;
    lastSpanId = spanId;
  }
  return writable;
}

let lastTraceId: string | undefined;
let lastSpanId: string | undefined;

/**
 * A span context's trace flags as a byte. The API types them as a number, but a foreign or
 * broken span context may hold anything (a BigInt would make `&` throw): not a number, no flags.
 */
export function traceFlagsOf(spanContext: { traceFlags?: unknown }): number {
  const flags = spanContext.traceFlags;
  return typeof flags === 'number' ? flags & 0xff : 0;
}
