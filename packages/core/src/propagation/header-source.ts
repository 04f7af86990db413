import type { TextMapGetter } from '@opentelemetry/api';
import { headerGetter, readHeader, type HeaderMap } from '../header-carrier.js';
import { HeaderIndex, equalsLowercase } from './header-index.js';

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

/**
 * The most a parser reads of one header given several times: the longest input any format
 * reads (baggage's 32 KiB, see baggage-codec.ts), and 128 values (twice baggage's 64
 * members; tracestate has at most 32). Past either, the remaining values are dropped unread,
 * so a header repeated a hundred thousand times costs what 128 repeats cost.
 */
const MAX_REPEATED_CHARS = 4 * 8192;
const MAX_REPEATED_VALUES = 128;

const textDecoder = new TextDecoder('utf-8', { fatal: false });

function textOf(item: unknown): string | undefined {
  if (typeof item === 'string') return item;
  if (item instanceof Uint8Array) return Buffer.isBuffer(item) ? item.toString('utf8') : textDecoder.decode(item);
  return undefined;
}

/**
 * Turns what the carrier or a getter holds into a `ReadSource`: a string or a Buffer as it
 * is, an array as its distinct text values (identical repeats collapse, as in
 * `decodeHeaderValue`), read up to the bounds above. Linear in what it reads.
 */
export function toSource(raw: unknown): ReadSource {
  if (typeof raw === 'string' || Buffer.isBuffer(raw)) return raw;
  if (!Array.isArray(raw)) return raw instanceof Uint8Array ? textOf(raw) : undefined;
  let first: string | undefined;
  let distinct: string[] | undefined;
  let seen: Set<string> | undefined;
  let chars = 0;
  let values = 0;
  const items = raw as unknown[];
  for (let i = 0; i < items.length && values < MAX_REPEATED_VALUES && chars <= MAX_REPEATED_CHARS; i++) {
    const text = textOf(items[i]);
    if (text === undefined) continue;
    values++;
    if (first === undefined) {
      first = text;
      chars += text.length;
    } else if (text !== first) {
      if (seen === undefined) {
        seen = new Set([first]);
        distinct = [first];
      }
      if (!seen.has(text)) {
        seen.add(text);
        distinct!.push(text);
        chars += text.length;
      }
    }
  }
  return distinct ?? first;
}

/**
 * Reads one header for a parser. With core's `headerGetter` the carrier is read directly
 * (the same lookup, `readHeader`), so that a Buffer reaches the parser as bytes; any other
 * getter is used as it is.
 */
export function readSource(getter: TextMapGetter, carrier: unknown, key: string): ReadSource {
  if (carrier instanceof HeaderIndex) return carrier.source(key, toSource);
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
  if (carrier instanceof HeaderIndex) {
    for (let k = 0; k < keys.length; k++) out[k] = carrier.source(keys[k]!, toSource);
    return out;
  }
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
          // Appended one by one: a spread of a huge array would overflow the call stack.
          for (const item of flat(value)) list.push(item);
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
