import { isUtf8 } from 'node:buffer';
import { ENVELOPE_VERSION, FRAME_OVERHEAD, HEADERS_BLOCK_OFFSET, MIN_FRAME_LENGTH } from './envelope-format.js';
import type { DecodedEnvelope } from './types.js';

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * The headers a reader decodes: tracehop writes at most a few dozen (trace headers, and up to
 * 64 `uberctx-*` baggage entries), and W3C baggage is at most 64 members; a crafted envelope of
 * 65 535 headers must not cost a reader tens of milliseconds (issue 14).
 */
export const MAX_DECODED_HEADERS = 256;

function u16(data: Buffer, offset: number): number {
  return (data[offset]! << 8) | data[offset + 1]!;
}

function u32(data: Buffer, offset: number): number {
  // Multiplication, not `<< 24`, keeps values ≥ 2^31 positive.
  return data[offset]! * 0x1000000 + ((data[offset + 1]! << 16) | (data[offset + 2]! << 8) | data[offset + 3]!);
}

/** Whether `data[start, end)` is ASCII: then it is well-formed UTF-8 that decodes byte for byte. */
function isAsciiAt(data: Buffer, start: number, end: number): boolean {
  let bits = 0;
  for (let i = start; i < end; i++) bits |= data[i]!;
  return bits < 0x80;
}

type Latin1Buffer = Buffer & { latin1Slice?: (start: number, end: number) => string };

/**
 * The UTF-8 text of `data[start, end)`, or undefined when it is not well-formed UTF-8.
 * Header names and values are ASCII in practice (every trace format's are): those are read
 * in one step, without the view, the UTF-8 check and the UTF-8 decoder other text needs,
 * which cost about as much again as the rest of a decode.
 */
function utf8(data: Buffer, start: number, end: number): string | undefined {
  if (isAsciiAt(data, start, end)) {
    // `latin1Slice` is what `toString('latin1', …)` calls, without its encoding dispatch.
    const buffer = data as Latin1Buffer;
    return typeof buffer.latin1Slice === 'function' ? buffer.latin1Slice(start, end) : buffer.toString('latin1', start, end);
  }
  const bytes = data.subarray(start, end);
  return isUtf8(bytes) ? bytes.toString('utf8') : undefined;
}

/**
 * The header names tracehop's propagators write: the keys of nearly every envelope. A key
 * with these bytes is given as the constant string rather than decoded — no allocation, and an
 * internalised string, which the propagators' name lookups compare by identity.
 */
const KNOWN_KEYS = ['traceparent', 'tracestate', 'baggage', 'b3', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled', 'x-b3-flags', 'uber-trace-id'];

function knownKey(data: Buffer, start: number, end: number): string | undefined {
  const length = end - start;
  for (const key of KNOWN_KEYS) {
    if (key.length !== length) continue;
    let i = 0;
    while (i < length && data[start + i] === key.charCodeAt(i)) i++;
    if (i === length) return key;
  }
  return undefined;
}

/**
 * Parses a version 1 headers block spanning exactly `[start, end)`. Any inconsistency — a
 * count the block cannot hold, a length running past the block, an empty or repeated key,
 * bytes that are not UTF-8, bytes left over — makes the whole envelope invalid.
 */
function parseHeaderBlock(data: Buffer, start: number, end: number): Record<string, string> | undefined {
  if (end - start < 2) return undefined;
  const count = u16(data, start);
  let offset = start + 2;
  // Each header takes at least 5 bytes (two lengths and a 1-byte key): a lying count is
  // rejected before any work is done for it.
  if (count * 5 > end - offset) return undefined;
  const headers: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    if (offset + 2 > end) return undefined;
    const keyLength = u16(data, offset);
    offset += 2;
    if (keyLength === 0 || offset + keyLength + 2 > end) return undefined;
    if (i >= MAX_DECODED_HEADERS) {
      // Past the headers a reader uses (docs/nsq-envelope.md §5, step 7.3): only the frame is
      // walked, so that no body makes a reader build more than MAX_DECODED_HEADERS strings.
      offset += keyLength;
      const skippedValue = u16(data, offset);
      offset += 2 + skippedValue;
      if (offset > end) return undefined;
      continue;
    }
    const key = knownKey(data, offset, offset + keyLength) ?? utf8(data, offset, offset + keyLength);
    offset += keyLength;
    const valueLength = u16(data, offset);
    offset += 2;
    if (key === undefined || offset + valueLength > end || hasOwn.call(headers, key)) return undefined;
    const value = utf8(data, offset, offset + valueLength);
    offset += valueLength;
    if (value === undefined) return undefined;
    // A key literally named `__proto__` must stay a key, not become a prototype.
    if (key === '__proto__') Object.defineProperty(headers, key, { value, enumerable: true, writable: true, configurable: true });
    else headers[key] = value;
  }
  return offset === end ? headers : undefined;
}

/**
 * Reads an NSQ body envelope (docs/nsq-envelope.md). Returns undefined for anything that is
 * not a complete, valid envelope — including a body that merely starts with the magic bytes
 * — so that such a body is delivered exactly as it was sent. A frame of a future version
 * (2–255) yields its payload with no headers: its headers block is not understood here.
 * `body` is a view on `data` (no copy). Never throws.
 */
export function decodeEnvelope(data: Uint8Array): DecodedEnvelope | undefined {
  // Whatever `data` turns out to be — a Proxy of a Uint8Array (whose `length` getter then
  // throws), a subclass with a throwing `length`, a detached buffer — it is "not an
  // envelope", never an exception in the reader (issue 14).
  try {
    return decodeFrame(data);
  } catch {
    return undefined;
  }
}

function decodeFrame(data: Uint8Array): DecodedEnvelope | undefined {
  if (!(data instanceof Uint8Array)) return undefined;
  const length = data.length;
  // The magic test comes first: it rejects ordinary payloads after reading one or two bytes.
  if (length < MIN_FRAME_LENGTH || data[0] !== 0x00 || data[1] !== 0xf5 || data[2] !== 0x54 || data[3] !== 0x48) {
    return undefined;
  }
  const version = data[4]!;
  if (version === 0) return undefined;
  const buffer = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const headersLength = u32(buffer, 5);
  if (headersLength > length - FRAME_OVERHEAD) return undefined;
  const payloadOffset = HEADERS_BLOCK_OFFSET + headersLength + 4;
  // The frame must account for every byte: no truncation, no trailing bytes.
  if (payloadOffset + u32(buffer, HEADERS_BLOCK_OFFSET + headersLength) !== length) return undefined;
  const body = buffer.subarray(payloadOffset);
  if (version !== ENVELOPE_VERSION) return { version, headers: {}, body };
  const headers = parseHeaderBlock(buffer, HEADERS_BLOCK_OFFSET, HEADERS_BLOCK_OFFSET + headersLength);
  return headers === undefined ? undefined : { version, headers, body };
}
