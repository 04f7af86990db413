import type { TextMapGetter } from '@opentelemetry/api';
import { decodeHeaderValue, headerGetter, readHeader, type HeaderMap } from '../header-carrier.js';

/**
 * A header value as the fixed-shape parsers (traceparent, b3, X-B3-*, tracestate) take it:
 * text, or the bytes of a Buffer, checked in place. kafkajs hands every header over as a
 * Buffer; decoding it to a string first and then checking the string costs about twice as
 * much as checking the bytes and decoding only what is kept. Both forms give the same
 * result: these grammars are ASCII, and any other byte fails the checks either way.
 */
export type HeaderSource = string | Buffer;

/** A header repeated with different values (identical repeats have collapsed). */
export type Conflicting = readonly string[];

/** One header as read for a parser: absent, one value, or conflicting values. */
export type ReadSource = HeaderSource | Conflicting | undefined;

const hasOwn = Object.prototype.hasOwnProperty;

/** Turns what the carrier or a getter holds into a `ReadSource`, as `decodeHeaderValue` would. */
function toSource(raw: unknown): ReadSource {
  if (typeof raw === 'string' || Buffer.isBuffer(raw)) return raw;
  const decoded: unknown = Array.isArray(raw) || raw instanceof Uint8Array ? decodeHeaderValue(raw) : raw;
  if (typeof decoded === 'string') return decoded;
  if (!Array.isArray(decoded)) return undefined;
  const texts = (decoded as unknown[]).filter((item): item is string => typeof item === 'string');
  if (texts.length === 0) return undefined;
  return texts.every((text) => text === texts[0]) ? texts[0] : texts;
}

/**
 * Reads one header for a parser. With core's `headerGetter` the carrier is read directly
 * (the same lookup, `readHeader`), so that a Buffer reaches the parser as bytes; any other
 * getter is used as it is.
 */
export function readSource(getter: TextMapGetter, carrier: unknown, key: string): ReadSource {
  if (getter !== headerGetter) return toSource(getter.get(carrier, key));
  if (carrier == null || typeof carrier !== 'object') return undefined;
  try {
    return toSource(readHeader(carrier as HeaderMap, key));
  } catch {
    return undefined;
  }
}

/**
 * Reads several headers (`keys`: tracehop's own names, lowercase, at most 31) in one pass
 * over the carrier when the getter is core's `headerGetter`: the same matching as
 * `readHeader` (case-insensitive names, values of case variants of one name taken
 * together), one scan instead of one per key.
 */
export function readSources(getter: TextMapGetter, carrier: unknown, keys: readonly string[]): ReadSource[] {
  const out = new Array<ReadSource>(keys.length);
  if (getter !== headerGetter) {
    for (let k = 0; k < keys.length; k++) out[k] = toSource(getter.get(carrier, keys[k]!));
    return out;
  }
  if (carrier == null || typeof carrier !== 'object') return out;
  // `out` holds the raw values until the end; `seen` marks keys found once, `several` those
  // found under more than one spelling (values then taken together, as `readHeader` does).
  const raw = out as unknown[];
  let seen = 0;
  let several: unknown[][] | undefined;
  try {
    const headers = carrier as Record<string, unknown>;
    for (const name in headers) {
      for (let k = 0; k < keys.length; k++) {
        const key = keys[k]!;
        if (name.length !== key.length || (name !== key && !equalsLowercase(name, key))) continue;
        if (!hasOwn.call(headers, name)) break;
        const value = headers[name];
        if ((seen & (1 << k)) === 0) {
          seen |= 1 << k;
          raw[k] = value;
        } else {
          several ??= [];
          const list = (several[k] ??= flat(raw[k]));
          list.push(...flat(value));
        }
        break;
      }
    }
  } catch {
    return new Array<ReadSource>(keys.length);
  }
  if (seen === 0) return out;
  for (let k = 0; k < keys.length; k++) if ((seen & (1 << k)) !== 0) out[k] = toSource(several?.[k] ?? raw[k]);
  return out;
}

/**
 * Whether `name` is `key` (ASCII lowercase) in any case, without a lowercased copy. For the
 * keys tracehop reads this is exactly `name.toLowerCase() === key`: of the characters that
 * lowercase to ASCII only the Kelvin sign (to `k`) is not ASCII, and no key holds a `k`.
 */
function equalsLowercase(name: string, key: string): boolean {
  for (let i = 0; i < key.length; i++) {
    const c = name.charCodeAt(i);
    const k = key.charCodeAt(i);
    if (c !== k && !(k >= 0x61 && k <= 0x7a && c === k - 0x20)) return false;
  }
  return true;
}

function flat(value: unknown): unknown[] {
  return Array.isArray(value) ? [...(value as unknown[])] : [value];
}

/** The first value of a header whose first value wins when repeated (b3-propagation). */
export function firstOf(value: ReadSource): HeaderSource | undefined {
  return Array.isArray(value) ? (value as Conflicting)[0] : (value as HeaderSource | undefined);
}

/** The character code at `i`, or -1 past the end. */
export function codeAt(source: HeaderSource, i: number): number {
  if (typeof source === 'string') return i < source.length ? source.charCodeAt(i) : -1;
  return source[i] ?? -1;
}

type Latin1Buffer = Buffer & { latin1Slice?: (start: number, end: number) => string };

/** `source[start, end)` as a string; bytes are read as Latin-1 (callers checked they are ASCII). */
export function textAt(source: HeaderSource, start: number, end: number): string {
  if (typeof source === 'string') return start === 0 && end === source.length ? source : source.slice(start, end);
  // `latin1Slice` is what `toString('latin1', …)` calls, without its encoding dispatch.
  const buffer = source as Latin1Buffer;
  return typeof buffer.latin1Slice === 'function' ? buffer.latin1Slice(start, end) : buffer.toString('latin1', start, end);
}

/**
 * An id already checked as hex, as a string. For bytes, one `String.fromCharCode` call per
 * id is cheaper than a native Buffer decode for strings this short, and gives a flat string
 * (not a slice of a longer one, nor a concatenation), which is the fastest kind to read
 * again when the id is validated for the next inject.
 */
export function idAt(source: HeaderSource, start: number, length: 16 | 32): string {
  if (typeof source === 'string') return source.slice(start, start + length);
  return length === 16 ? chars16(source, start) : chars32(source, start);
}

function chars16(b: Buffer, i: number): string {
  return String.fromCharCode(
    b[i]!, b[i + 1]!, b[i + 2]!, b[i + 3]!, b[i + 4]!, b[i + 5]!, b[i + 6]!, b[i + 7]!,
    b[i + 8]!, b[i + 9]!, b[i + 10]!, b[i + 11]!, b[i + 12]!, b[i + 13]!, b[i + 14]!, b[i + 15]!,
  );
}

function chars32(b: Buffer, i: number): string {
  return String.fromCharCode(
    b[i]!, b[i + 1]!, b[i + 2]!, b[i + 3]!, b[i + 4]!, b[i + 5]!, b[i + 6]!, b[i + 7]!,
    b[i + 8]!, b[i + 9]!, b[i + 10]!, b[i + 11]!, b[i + 12]!, b[i + 13]!, b[i + 14]!, b[i + 15]!,
    b[i + 16]!, b[i + 17]!, b[i + 18]!, b[i + 19]!, b[i + 20]!, b[i + 21]!, b[i + 22]!, b[i + 23]!,
    b[i + 24]!, b[i + 25]!, b[i + 26]!, b[i + 27]!, b[i + 28]!, b[i + 29]!, b[i + 30]!, b[i + 31]!,
  );
}

/** Optional whitespace tolerated around a fixed-shape value before it is refused unread. */
const OWS_ALLOWANCE = 16;

function isOwsCode(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/**
 * Where a fixed-shape value starts once leading optional whitespace (SP, HTAB) is skipped,
 * or -1 when the header is longer than `maxLength` (plus a little whitespace): the size is
 * checked before any character is examined, so an oversized header costs nothing to refuse.
 */
export function valueStart(source: HeaderSource, maxLength: number): number {
  if (source.length > maxLength + OWS_ALLOWANCE) return -1;
  let start = 0;
  while (start < source.length && isOwsCode(codeAt(source, start))) start++;
  return start;
}

/** Where the value ends once trailing optional whitespace is dropped. */
export function valueEnd(source: HeaderSource, start: number): number {
  let end = source.length;
  while (end > start && isOwsCode(codeAt(source, end - 1))) end--;
  return end;
}
