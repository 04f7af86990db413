// Hostile header maps and values, as a broker could hand them over from a producer that is
// not tracehop (or an attacker): every type where a string is expected, invalid UTF-8, NUL
// bytes, nested arrays, keys that are JavaScript's own (`__proto__`, `constructor`…), keys in
// every letter case, thousands of headers, and values of a megabyte.
import fc from 'fast-check';
import { nearValidValue } from './wire-values.js';

const MiB = 1024 * 1024;

/** Every header name some tracehop format reads or owns. */
export const FORMAT_HEADER_NAMES = [
  'traceparent',
  'tracestate',
  'baggage',
  'b3',
  'x-b3-traceid',
  'x-b3-spanid',
  'x-b3-sampled',
  'x-b3-flags',
  'x-b3-parentspanid',
  'uber-trace-id',
  'uberctx-user',
  'uberctx-__proto__',
] as const;

/** Keys that mean something to JavaScript objects. */
export const DANGEROUS_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
  '__lookupGetter__',
  'length',
  '0',
  '1',
  '4294967295',
  '',
] as const;

/** Names that only look like a format's header (Kelvin sign, dotted capital I, fullwidth). */
const LOOKALIKE_KEYS = ['tracep\u0430rent', 'TRACEPARENT\u0000', 'traceparent ', ' traceparent', 'uber-trace-\u0130d', '\uff54raceparent', 'b3\u0000', 'x-b3-trace\u0131d'];

/** A name in a random letter case (`TraceParent`, `X-B3-TRACEID`). */
const anyCase = (name: string) =>
  fc.array(fc.boolean(), { minLength: name.length, maxLength: name.length }).map((upper) =>
    [...name].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''),
  );

export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...FORMAT_HEADER_NAMES).chain(anyCase) },
  { weight: 3, arbitrary: fc.constantFrom(...DANGEROUS_KEYS) },
  { weight: 1, arbitrary: fc.constantFrom(...LOOKALIKE_KEYS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 10 }).map((s) => `uberctx-${s}`) },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }).map((s) => `x-b3-${s}`) },
);

/** Byte sequences that are not UTF-8: overlong, surrogate halves, truncated, stray continuation. */
const INVALID_UTF8: readonly number[][] = [
  [0xff],
  [0xfe, 0xff],
  [0xc0, 0x80],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xe2, 0x82],
  [0x80],
  [0x30, 0x30, 0x2d, 0xc3],
];

const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: nearValidValue },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('\0', '\r', '\n', '\t', ' ', ',', ';', '=', '%', '-', ':', '\u2028', '\ufeff'), maxLength: 30 }) },
  { weight: 1, arbitrary: nearValidValue.map((v) => `${v}\0`) },
  { weight: 1, arbitrary: nearValidValue.map((v) => `${v}\r\nx-injected: 1`) },
);

/** Text as the brokers give it: a string, a Buffer, a view into a larger buffer, a plain Uint8Array. */
const hostileBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 4, arbitrary: hostileText.map((text) => Buffer.from(text, 'utf8')) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)) },
  { weight: 1, arbitrary: fc.tuple(nearValidValue, fc.constantFrom(...INVALID_UTF8)).map(([text, bad]) => Buffer.concat([Buffer.from(text), Buffer.from(bad)])) },
  // A view with an offset into a larger allocation: byte readers must honour byteOffset.
  { weight: 1, arbitrary: fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 16 }), nearValidValue).map(([pad, text]) => Buffer.concat([Buffer.from(pad), Buffer.from(text)]).subarray(pad.length)) },
  { weight: 1, arbitrary: nearValidValue.map((text) => new Uint8Array(Buffer.from(text))) },
);

/** Things that are not text at all; some would throw if anything tried to coerce them. */
const hostileScalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, undefined, true, false, 0, -0, NaN, Infinity, -1, 2 ** 53, 1e308, 10n, Symbol('header')),
  fc.double(),
  fc.integer(),
  fc.constant(Object.freeze({ '!': 'long', value: 1 })),
  fc.constant(Object.freeze({ toString: () => { throw new Error('coerced'); }, valueOf: () => { throw new Error('coerced'); } })),
  fc.constant(Object.freeze({ [Symbol.toPrimitive]: () => { throw new Error('coerced'); } })),
  fc.constant(Object.freeze(Object.create(null) as object)),
  fc.constant(new Date(0)),
  fc.constant(() => 'traceparent'),
);

/** A megabyte of each shape a parser might choke on, built once and shared (inputs are never written). */
export const HUGE_VALUES: readonly (string | Buffer)[] = (() => {
  const valid = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  const strings = [
    'a'.repeat(MiB),
    ' '.repeat(MiB) + valid,
    valid + ' '.repeat(MiB),
    ','.repeat(MiB),
    '='.repeat(MiB),
    '%'.repeat(MiB),
    ';'.repeat(MiB),
    'a=b,'.repeat(MiB / 4),
    'k=v;p=q;'.repeat(MiB / 8),
    '-'.repeat(MiB),
    ':'.repeat(MiB),
    '\0'.repeat(MiB),
    '0'.repeat(MiB),
    'k=' + '%41'.repeat(MiB / 3),
  ];
  return [...strings, ...strings.slice(0, 6).map((s) => Buffer.from(s)), Buffer.alloc(MiB, 0xff)];
})();

const huge = fc.constantFrom(...HUGE_VALUES);

const leaf: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: hostileText },
  { weight: 4, arbitrary: hostileBytes },
  { weight: 2, arbitrary: hostileScalar },
);

/** A header value: any leaf, or arrays (of arrays) of them, sometimes a megabyte. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 40, arbitrary: leaf },
  { weight: 8, arbitrary: fc.array(leaf, { maxLength: 5 }) },
  { weight: 2, arbitrary: fc.array(fc.oneof(leaf, fc.array(fc.oneof(leaf, fc.array(leaf, { maxLength: 3 })), { maxLength: 3 })), { maxLength: 4 }) },
  { weight: 1, arbitrary: huge },
);

/** Defines `key` as an own, enumerable data property, even `__proto__`. */
export function defineHeader(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A prototype carrying headers: carriers must read own headers only. */
const INHERITED = Object.freeze({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', baggage: 'inherited=1', b3: '1' });

type Prototype = 'object' | 'null' | 'inherited';

function buildMap(entries: ReadonlyArray<readonly [string, unknown]>, prototype: Prototype): Record<string, unknown> {
  const target = (prototype === 'object' ? {} : Object.create(prototype === 'null' ? null : INHERITED)) as Record<string, unknown>;
  for (const [key, value] of entries) defineHeader(target, key, value);
  return target;
}

const prototypeArb = fc.constantFrom<Prototype>('object', 'object', 'object', 'null', 'inherited');

/** A header map of up to 24 hostile entries. */
export const smallHeaders = fc
  .tuple(fc.array(fc.tuple(hostileKey, hostileValue), { maxLength: 24 }), prototypeArb)
  .map(([entries, prototype]) => buildMap(entries, prototype));

/** Thousands of headers (a few of them a format's), as a flooding producer would send. */
export const bulkHeaders = fc
  .tuple(fc.integer({ min: 1000, max: 5000 }), fc.array(fc.tuple(hostileKey, hostileValue), { maxLength: 8 }), fc.boolean())
  .map(([count, mixed, buffers]) => {
    const entries: Array<readonly [string, unknown]> = [];
    for (let i = 0; i < count; i++) {
      const value = `value-${i}`;
      entries.push([`x-header-${i}`, buffers ? Buffer.from(value) : value]);
    }
    return buildMap([...entries, ...mixed], 'object');
  });

/** Any header map, thousands of headers one time in forty. */
export const hostileHeaders: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  { weight: 39, arbitrary: smallHeaders },
  { weight: 1, arbitrary: bulkHeaders },
);

/** A carrier: usually a header map, sometimes something that is not a map at all. */
export const hostileCarrier: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 20, arbitrary: hostileHeaders },
  { weight: 1, arbitrary: fc.oneof(hostileScalar, hostileText, hostileBytes, fc.array(hostileValue, { maxLength: 4 })) },
);
