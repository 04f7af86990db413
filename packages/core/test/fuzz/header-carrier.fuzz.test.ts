// Fuzzes core's header carrier (readHeader, decodeHeaderValue, headerGetter) with hostile
// header maps, against a plain reference model of what they are documented to do.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeHeaderValue, headerGetter, readHeader } from '../../src/header-carrier.js';
import { fuzzParameters, fuzzTimeout } from './support/fuzz-config.js';
import { DANGEROUS_KEYS, FORMAT_HEADER_NAMES, hostileCarrier, hostileHeaders, hostileValue } from './support/hostile-values.js';
import { PropertyViolation, holds, runGuarded } from './support/run-guarded.js';

const LOOKUPS = [...FORMAT_HEADER_NAMES, ...FORMAT_HEADER_NAMES.map((name) => name.toUpperCase()), ...DANGEROUS_KEYS];

/** The model of readHeader: own keys equal ignoring case; several are flattened one level. */
function modelRead(headers: object, key: string): unknown {
  const wanted = key.toLowerCase();
  const names = Object.keys(headers).filter((name) => name.toLowerCase() === wanted);
  const record = headers as Record<string, unknown>;
  if (names.length === 0) return undefined;
  if (names.length === 1) return record[names[0]!];
  return names.flatMap((name) => (Array.isArray(record[name]) ? (record[name] as unknown[]) : [record[name]]));
}

function modelScalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
  return undefined;
}

/** The model of decodeHeaderValue: text values, nested arrays ignored, repeats collapsed. */
function modelDecode(value: unknown): string | string[] | undefined {
  if (!Array.isArray(value)) return modelScalar(value);
  const distinct = [...new Set(value.map(modelScalar).filter((text): text is string => text !== undefined))];
  return distinct.length === 0 ? undefined : distinct.length === 1 ? distinct[0] : distinct;
}

/** Element-wise Object.is, one array level deep: values must be the caller's very objects. */
function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => Object.is(item, b[i]));
  return Object.is(a, b);
}

describe('core header carrier under hostile input', () => {
  it(
    'readHeader finds exactly the own headers of that name, in any case, and returns the very values',
    () => {
      fc.assert(
        fc.property(hostileHeaders, fc.constantFrom(...LOOKUPS), (headers, key) => {
          const found = runGuarded(headers, (input) => readHeader(input, key));
          if (!same(found, modelRead(headers, key))) throw new PropertyViolation(`readHeader(${JSON.stringify(key)}) differs from the model`);
        }),
        fuzzParameters(),
      );
    },
    fuzzTimeout(),
  );

  it(
    'decodeHeaderValue gives text only, decodes bytes (invalid UTF-8 as U+FFFD), collapses repeats',
    () => {
      fc.assert(
        fc.property(hostileValue, (value) => {
          const decoded = runGuarded(value, decodeHeaderValue);
          holds(JSON.stringify(decoded) === JSON.stringify(modelDecode(value)) ? undefined : 'decodeHeaderValue differs from the model');
          if (Array.isArray(decoded)) {
            holds(decoded.length >= 2 && new Set(decoded).size === decoded.length ? undefined : 'a repeated header did not collapse');
          }
        }),
        fuzzParameters(),
      );
    },
    fuzzTimeout(),
  );

  it(
    'headerGetter.get and .keys accept any carrier, and get is decodeHeaderValue ∘ readHeader',
    () => {
      fc.assert(
        fc.property(hostileCarrier, fc.constantFrom(...LOOKUPS), (carrier, key) => {
          const [keys, value] = runGuarded(carrier, (input) => [headerGetter.keys(input as never), headerGetter.get(input as never, key)] as const);
          holds(Array.isArray(keys) && keys.every((name) => typeof name === 'string') ? undefined : 'keys() is not a list of names');
          const expected = carrier == null ? undefined : modelDecode(modelRead(Object(carrier) as object, key));
          holds(JSON.stringify(value) === JSON.stringify(expected) ? undefined : `get(${JSON.stringify(key)}) differs from the model`);
        }),
        fuzzParameters(),
      );
    },
    fuzzTimeout(),
  );

  it('a header named __proto__ is read as a header and never reaches a prototype', () => {
    const headers = JSON.parse('{"__proto__": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "constructor": {"prototype": {"polluted": 1}}}') as Record<string, unknown>;
    expect(readHeader(headers, '__proto__')).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(headerGetter.get(headers, 'constructor')).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
