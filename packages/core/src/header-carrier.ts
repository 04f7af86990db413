import type { TextMapGetter, TextMapSetter } from '@opentelemetry/api';

/**
 * A header value as the brokers' clients hand it over: kafkajs gives Buffers (or arrays of
 * them for repeated keys), amqplib gives strings, Buffers, numbers, booleans or nested tables.
 */
export type HeaderValue =
  | string
  | Uint8Array
  | ReadonlyArray<string | Uint8Array>
  | number
  | boolean
  | null
  | undefined
  | object;

/** A broker message's header map, read-only from tracehop's point of view. */
export type HeaderMap = Readonly<Record<string, unknown>>;

const hasOwn = Object.prototype.hasOwnProperty;
const textDecoder = new TextDecoder('utf-8', { fatal: false });

/** Decodes one header value to text; anything that is not text-like is no value. */
function decodeScalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) {
    return Buffer.isBuffer(value) ? value.toString('utf8') : textDecoder.decode(value);
  }
  return undefined;
}

/**
 * Decodes a header value to what a propagator expects: a string, or an array of strings
 * for a key that really repeats. Repeated identical values collapse to one (DESIGN.md: a
 * duplicate written twice by two layers is not a conflict); values that are not text
 * (numbers, tables, nested arrays) are ignored.
 */
export function decodeHeaderValue(value: unknown): string | string[] | undefined {
  if (!Array.isArray(value)) return decodeScalar(value);
  let first: string | undefined;
  let distinct: string[] | undefined;
  // A Set, not `distinct.includes`: an array of n distinct values must cost n, not n² (issue 14).
  let seen: Set<string> | undefined;
  for (const item of value as unknown[]) {
    const text = decodeScalar(item);
    if (text === undefined) continue;
    if (first === undefined) first = text;
    else if (text !== first) {
      if (seen === undefined) {
        seen = new Set([first]);
        distinct = [first];
      }
      if (!seen.has(text)) {
        seen.add(text);
        distinct!.push(text);
      }
    }
  }
  return distinct ?? first;
}

/**
 * Finds the value stored under `key`, comparing names case-insensitively (header names are
 * case-insensitive in every format tracehop speaks). `traceparent` and `TraceParent` in one
 * map are the same header given twice, so their values are returned together. Names of
 * another length are skipped before any case folding, which keeps the scan cheap.
 */
export function readHeader(headers: HeaderMap, key: string): unknown {
  const wanted = key.toLowerCase();
  let single: unknown;
  let found: unknown[] | undefined;
  let count = 0;
  for (const name in headers) {
    if (name.length !== wanted.length || !hasOwn.call(headers, name)) continue;
    if (name !== wanted && name.toLowerCase() !== wanted) continue;
    if (count++ === 0) single = headers[name];
    else (found ??= [single]).push(headers[name]);
  }
  if (found === undefined) return single;
  const all: unknown[] = [];
  for (const value of found) {
    if (Array.isArray(value)) for (const item of value as unknown[]) all.push(item);
    else all.push(value);
  }
  return all;
}

/**
 * Reads Kafka- and AMQP-shaped header maps for any `TextMapPropagator`. It never throws
 * and never writes to the carrier.
 */
export const headerGetter: TextMapGetter<HeaderMap> = {
  keys(carrier) {
    try {
      return carrier == null ? [] : Object.keys(carrier);
    } catch {
      return [];
    }
  },
  get(carrier, key) {
    try {
      return carrier == null ? undefined : decodeHeaderValue(readHeader(carrier, key));
    } catch {
      return undefined;
    }
  },
};

/** Writes string header values into a plain object owned by tracehop (never the caller's). */
export const headerSetter: TextMapSetter<Record<string, unknown>> = {
  set(carrier, key, value) {
    carrier[key] = value;
  },
};
