import type { Context, SpanContext } from '@opentelemetry/api';
import { ROOT_CONTEXT, TraceFlags, propagation, trace } from '@opentelemetry/api';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { headerGetter, headerSetter } from '../../src/header-carrier.js';
import { B3_DEBUG_FLAG_KEY } from '../../src/propagation/b3-propagator.js';
import { createPropagator, parsePropagatorNames } from '../../src/propagation/create-propagator.js';
import { W3CTraceState } from '../../src/propagation/trace-state.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const nonZero = (length: number) => fc.uint8Array({ minLength: length, maxLength: length }).filter((b) => b.some((x) => x !== 0));

/** 128-bit trace ids, and 64-bit B3 ones (high half zero, as a padded 16-digit id reads). */
const traceIdArb = fc.oneof(
  nonZero(16).map(hex),
  nonZero(8).map((low) => `0000000000000000${hex(low)}`),
);
const spanIdArb = nonZero(8).map(hex);

const keyArb = fc.stringMatching(/^[a-z0-9][a-z0-9_\-*/@]{0,15}$/);
const traceStateArb = fc
  .uniqueArray(fc.tuple(keyArb, fc.stringMatching(/^[!-+\--<>-~]{1,12}$/)), { maxLength: 4, selector: ([key]) => key })
  .map((entries) => (entries.length === 0 ? undefined : new W3CTraceState(entries.map(([k]) => k), entries.map(([, v]) => v))));

const tokenArb = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/);
const baggageArb = fc.uniqueArray(fc.tuple(tokenArb, fc.string({ unit: 'grapheme', maxLength: 12 })), {
  maxLength: 5,
  selector: ([key]) => key.toLowerCase(), // Jaeger keys travel in header names, compared case-insensitively
});

interface Sample {
  spanContext: SpanContext;
  debug: boolean;
  baggage: [string, string][];
  buffers: boolean;
}

const sampleArb: fc.Arbitrary<Sample> = fc.record({
  spanContext: fc.record({
    traceId: traceIdArb,
    spanId: spanIdArb,
    // Sampled or not, with or without the W3C Level 2 random-trace-id flag.
    traceFlags: fc.constantFrom(0, 1, 2, 3),
    traceState: traceStateArb,
  }),
  debug: fc.boolean(),
  baggage: baggageArb,
  buffers: fc.boolean(),
}).map((sample) => {
  const { traceState, ...rest } = sample.spanContext;
  return { ...sample, spanContext: traceState === undefined ? rest : { ...rest, traceState } };
});

/** Inject with one set, deliver (as strings or Buffers), extract with another. */
function roundTrip(inject: string, extract: string, sample: Sample): Context {
  let context = trace.setSpanContext(ROOT_CONTEXT, sample.spanContext);
  if (sample.debug) context = context.setValue(B3_DEBUG_FLAG_KEY, 'd');
  if (sample.baggage.length > 0) {
    context = propagation.setBaggage(context, propagation.createBaggage(Object.fromEntries(sample.baggage.map(([k, v]) => [k, { value: v }]))));
  }
  const written: Record<string, unknown> = {};
  createPropagator(inject).inject(context, written, headerSetter);
  const delivered = Object.fromEntries(
    Object.entries(written).map(([name, value]) => [name, sample.buffers ? Buffer.from(String(value), 'utf8') : value]),
  );
  return createPropagator(extract).extract(ROOT_CONTEXT, delivered, headerGetter);
}

/** What survives the format that carried the context (the first of the inject set that the extract set reads). */
function expected(carrier: string, sample: Sample): SpanContext {
  const { traceId, spanId, traceFlags, traceState } = sample.spanContext;
  if (carrier === 'tracecontext') return { traceId, spanId, traceFlags, isRemote: true, ...(traceState ? { traceState } : {}) };
  // B3 and Jaeger carry only the sampled bit; B3 debug implies sampled.
  const sampled = (traceFlags & TraceFlags.SAMPLED) !== 0 || (sample.debug && carrier.startsWith('b3'));
  return { traceId, spanId, traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE, isRemote: true };
}

/** Inject set → extract set: every format alone, and the migrations docs/propagation.md describes. */
const MIGRATIONS: [inject: string, extract: string][] = [
  ['tracecontext', 'tracecontext'],
  ['b3', 'b3'],
  ['b3multi', 'b3multi'],
  ['jaeger', 'jaeger'],
  ['tracecontext', 'tracecontext,b3,b3multi'],
  ['b3', 'tracecontext,b3,b3multi'],
  ['b3multi', 'tracecontext,b3,b3multi'],
  ['b3', 'b3multi'],
  ['b3multi', 'b3'],
  ['tracecontext,b3multi', 'tracecontext'],
  ['tracecontext,b3multi', 'b3multi'],
  ['tracecontext,b3', 'b3,tracecontext'],
  ['jaeger', 'tracecontext,jaeger'],
  ['tracecontext,baggage', 'b3,tracecontext,baggage'],
  ['b3multi,baggage', 'tracecontext,b3multi,baggage'],
  ['jaeger', 'b3multi,jaeger'],
];

describe('random span contexts survive inject → extract', () => {
  for (const [inject, extract] of MIGRATIONS) {
    it(`inject ${inject} → extract ${extract}`, () => {
      const injected = parsePropagatorNames(inject);
      const read = parsePropagatorNames(extract);
      // The format whose context wins: the first of the extract order that was written (a B3
      // propagator of either encoding reads both encodings).
      const reads = (reader: string, written: string) => reader === written || (reader.startsWith('b3') && written.startsWith('b3'));
      const reader = read.find((name) => name !== 'baggage' && injected.some((written) => reads(name, written)))!;
      const carrier = injected.find((written) => reads(reader, written))!;
      const carriesBaggage = read.includes('baggage') && injected.includes('baggage') ? 'w3c' : carrier === 'jaeger' ? 'jaeger' : undefined;
      fc.assert(
        fc.property(sampleArb, (sample) => {
          const extracted = roundTrip(inject, extract, sample);
          const spanContext = trace.getSpanContext(extracted);
          expect(spanContext).toEqual(expected(carrier, sample));
          expect(spanContext?.traceState?.serialize()).toBe(carrier === 'tracecontext' ? sample.spanContext.traceState?.serialize() : undefined);
          if (carrier.startsWith('b3')) expect(extracted.getValue(B3_DEBUG_FLAG_KEY) !== undefined).toBe(sample.debug);
          // Compared as maps: the API's createBaggage itself reorders keys that look like integers.
          const baggage = Object.fromEntries(propagation.getBaggage(extracted)?.getAllEntries().map(([key, entry]) => [key, entry.value]) ?? []);
          expect(baggage).toEqual(carriesBaggage === undefined ? {} : Object.fromEntries(sample.baggage));
        }),
      );
    });
  }
});
