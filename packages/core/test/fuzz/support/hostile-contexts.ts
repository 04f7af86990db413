// Hostile contexts to inject: span contexts whose ids are the wrong length, case or type,
// trace flags outside 0–255, foreign TraceState and Baggage implementations that return
// junk, baggage with keys no header can carry, lone surrogates, megabyte values, and
// thousands of entries.
import type { Baggage, BaggageEntry, Context, SpanContext, TraceState } from '@opentelemetry/api';
import { ROOT_CONTEXT, baggageEntryMetadataFromString, createContextKey, createTraceState, propagation, trace } from '@opentelemetry/api';
import fc from 'fast-check';
import { B3_DEBUG_FLAG_KEY } from '../../../src/propagation/b3-propagator.js';
import { JAEGER_DEBUG_FLAG_KEY } from '../../../src/propagation/jaeger-propagator.js';
import { tracestateValue } from './wire-values.js';

const SUPPRESS_TRACING_KEY = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

const hexChars = fc.constantFrom(...'0123456789abcdef');
const hex = (n: number) => fc.string({ unit: hexChars, minLength: n, maxLength: n });

const oddScalar = fc.constantFrom<unknown>(undefined, null, 0, 1, -1, NaN, Infinity, 256, 2 ** 40, '1', true, {}, []);

const idOf = (length: number): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 10, arbitrary: hex(length) },
    { weight: 1, arbitrary: fc.constant('0'.repeat(length)) },
    { weight: 1, arbitrary: hex(length).map((id) => id.toUpperCase()) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: length + 4 }) },
    { weight: 1, arbitrary: hex(length).map((id) => `${id}\r\nx: 1`) },
    { weight: 1, arbitrary: oddScalar },
  );

/** TraceState objects: tracehop's own parse, the API's, and foreign ones that return anything. */
const traceStateArb: fc.Arbitrary<TraceState | undefined> = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  { weight: 4, arbitrary: tracestateValue.map((raw) => createTraceState(raw)) },
  {
    weight: 2,
    arbitrary: fc.oneof(tracestateValue, fc.string({ unit: 'binary', maxLength: 60 }), fc.constant('a=b,'.repeat(5000))).map(
      (raw): TraceState => ({
        set: () => createTraceState(raw),
        unset: () => createTraceState(raw),
        get: () => undefined,
        serialize: () => raw,
      }),
    ),
  },
);

/**
 * Values of a type the API forbids outright (a BigInt where a number is due): a member
 * propagator may throw on them, and the composite and `injectHeaders` must contain that.
 */
const typeViolation = fc.constantFrom<unknown>(10n, Symbol('flags'));

const spanContextOf = (flagsArb: fc.Arbitrary<unknown>): fc.Arbitrary<SpanContext> => fc
  .record({
    traceId: idOf(32),
    spanId: idOf(16),
    traceFlags: flagsArb,
    isRemote: fc.boolean(),
    traceState: traceStateArb,
  })
  .map((record) => {
    const { traceState, ...rest } = record;
    return (traceState === undefined ? rest : { ...rest, traceState }) as unknown as SpanContext;
  });

const flagsArb = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 3 }) }, { weight: 2, arbitrary: fc.integer({ min: 0, max: 255 }) }, { weight: 1, arbitrary: oddScalar });
const spanContextArb = spanContextOf(flagsArb);
const typeViolatingSpanContextArb = spanContextOf(fc.oneof({ weight: 4, arbitrary: flagsArb }, { weight: 1, arbitrary: typeViolation }));

const baggageKey = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', '', 'a b', 'a,b', 'a=b', 'a\r\nb', 'k'.repeat(9000)) },
);

const baggageValue = fc.oneof(
  { weight: 6, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.constantFrom('\ud800', 'a\udc00b', '%', '%zz', ',;=\\"', '\0\r\n', 'v'.repeat(9000), 'é'.repeat(3000)) },
);

const metadataArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.oneof(fc.constantFrom('p', 'p=1', 'a;b=2', ';;', 'x y', '\0'), fc.string({ unit: 'binary', maxLength: 12 })).map(baggageEntryMetadataFromString) },
  // A foreign metadata object whose text is anything at all.
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }).map((text) => ({ toString: () => text }) as unknown as BaggageEntry['metadata']) },
);

const entryArb = fc.tuple(baggageKey, baggageValue, metadataArb).map(([key, value, metadata]) => [key, metadata === undefined ? { value } : { value, metadata }] as [string, BaggageEntry]);

/** A foreign Baggage that hands out whatever it holds, including entries that are not entries. */
function foreignBaggage(entries: [string, unknown][]): Baggage {
  const self: Baggage = {
    getEntry: (key) => entries.find(([k]) => k === key)?.[1] as BaggageEntry | undefined,
    getAllEntries: () => entries as [string, BaggageEntry][],
    setEntry: () => self,
    removeEntry: () => self,
    removeEntries: () => self,
    clear: () => self,
  };
  return self;
}

const baggageArb: fc.Arbitrary<Baggage | undefined> = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  { weight: 6, arbitrary: fc.array(entryArb, { maxLength: 12 }).map((entries) => propagation.createBaggage(Object.fromEntries(entries))) },
  { weight: 1, arbitrary: fc.integer({ min: 60, max: 2000 }).map((n) => propagation.createBaggage(Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, { value: `v${i}` }])))) },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.oneof(entryArb, fc.tuple(baggageKey, fc.constantFrom<unknown>(null, undefined, 1, { value: 2 }, { value: undefined }, { value: 'x', metadata: 5 }))), { maxLength: 6 })
      .map((entries) => foreignBaggage(entries as [string, unknown][])),
  },
);

const debugValue = fc.constantFrom<unknown>(undefined, undefined, 'd', '1', true, false, 0, 'x', {});

const contextOf = (spanContexts: fc.Arbitrary<SpanContext>): fc.Arbitrary<Context> => fc
  .record({
    spanContext: fc.option(spanContexts, { freq: 5 }),
    baggage: baggageArb,
    b3Debug: debugValue,
    jaegerDebug: debugValue,
    suppressed: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  })
  .map(({ spanContext, baggage, b3Debug, jaegerDebug, suppressed }) => {
    let context: Context = ROOT_CONTEXT;
    if (spanContext !== null) context = trace.setSpanContext(context, spanContext);
    if (baggage !== undefined) context = propagation.setBaggage(context, baggage);
    if (b3Debug !== undefined) context = context.setValue(B3_DEBUG_FLAG_KEY, b3Debug);
    if (jaegerDebug !== undefined) context = context.setValue(JAEGER_DEBUG_FLAG_KEY, jaegerDebug);
    if (suppressed) context = context.setValue(SUPPRESS_TRACING_KEY, true);
    return context;
  });

/**
 * A context to inject: a span context (maybe absurd: ids of any length, case or type, flags
 * outside 0–3), baggage (maybe absurd), debug flags, suppression; values of the API's types.
 */
export const hostileContext: fc.Arbitrary<Context> = contextOf(spanContextArb);

/** The same, sometimes with values of a type the API forbids (a BigInt as trace flags). */
export const typeViolatingContext: fc.Arbitrary<Context> = contextOf(typeViolatingSpanContextArb);

/** Whether a span context's ids can be written as they are (32 / 16 lowercase hex, not all zero). */
export function writableIds(spanContext: SpanContext | undefined): spanContext is SpanContext {
  return (
    spanContext !== undefined &&
    typeof spanContext.traceId === 'string' &&
    typeof spanContext.spanId === 'string' &&
    /^(?!0{32}$)[0-9a-f]{32}$/.test(spanContext.traceId) &&
    /^(?!0{16}$)[0-9a-f]{16}$/.test(spanContext.spanId)
  );
}

export function isSuppressed(context: Context): boolean {
  return context.getValue(SUPPRESS_TRACING_KEY) === true;
}
