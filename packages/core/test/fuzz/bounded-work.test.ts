// Issue 14, counted: each header is read once per extract whatever the number of formats,
// the Jaeger baggage scan stops at 64 names, a repeated header is read up to its limit.
// Counting Proxy carriers make these exact and immune to the machine's load.
import type { TextMapGetter } from '@opentelemetry/api';
import { ROOT_CONTEXT, propagation, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { decodeHeaderValue, headerGetter } from '../../src/header-carrier.js';
import { createPropagator } from '../../src/propagation/create-propagator.js';
import { JaegerPropagator } from '../../src/propagation/jaeger-propagator.js';
import { countingArray, countingCarrier } from './support/counting-carrier.js';

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const S = '00f067aa0ba902b7';
const ALL = 'tracecontext,baggage,b3,b3multi,jaeger';

/** One header of every name any format reads, plus user headers and Jaeger baggage. */
function everyFormatHeaders(): Record<string, unknown> {
  return {
    traceparent: `00-${T}-${S}-01`,
    tracestate: 'a=1',
    baggage: 'k=v',
    b3: 'garbage',
    'x-b3-traceid': T,
    'x-b3-spanid': S,
    'x-b3-sampled': '1',
    'x-b3-flags': '0',
    'uber-trace-id': `${T}:${S}:0:1`,
    'uberctx-tenant': 'acme',
    'x-user': 'kept',
  };
}

describe('each header is read once per extract', () => {
  it.each(['tracecontext', 'tracecontext,baggage', 'b3,b3multi', ALL, 'jaeger,b3multi,b3,baggage,tracecontext'])('with %s configured', (names) => {
    const { carrier, counts } = countingCarrier(everyFormatHeaders());
    const extracted = createPropagator(names).extract(ROOT_CONTEXT, carrier, headerGetter);
    expect(trace.getSpanContext(extracted)?.traceId).toBe(T);
    for (const [name, reads] of counts.gets) expect(reads, name).toBe(1);
    expect(counts.gets.has('x-user')).toBe(false);
    // Before issue 14, all five formats enumerated the carrier six times.
    expect(counts.ownKeys).toBeLessThanOrEqual(1);
  });

  it('the same number of reads with five formats as with one', () => {
    const one = countingCarrier(everyFormatHeaders());
    createPropagator('jaeger').extract(ROOT_CONTEXT, one.carrier, headerGetter);
    const five = countingCarrier(everyFormatHeaders());
    createPropagator(ALL).extract(ROOT_CONTEXT, five.carrier, headerGetter);
    expect(five.counts.ownKeys).toBe(one.counts.ownKeys);
    expect(five.counts.total()).toBeLessThanOrEqual(one.counts.total() + 9);
    expect(five.counts.total()).toBe(Object.keys(everyFormatHeaders()).length - 1);
  });
});

describe('Jaeger baggage: one scan, stopped at 64 names', () => {
  function uberctxHeaders(count: number, pairs: boolean): Record<string, unknown> {
    const headers: Record<string, unknown> = { 'uber-trace-id': `${T}:${S}:0:1` };
    for (let i = 0; i < count; i++) {
      headers[`uberctx-${i}`] = '0';
      if (pairs) headers[`UBERCTX-${i}`] = '1'; // conflicting spellings: an ambiguous entry
    }
    return headers;
  }

  it.each([
    [4_400, false],
    [20_000, true],
  ])('%i uberctx-* headers (case pairs: %s) read at most 64 values, with the carrier enumerated once', (count, pairs) => {
    const { carrier, counts } = countingCarrier(uberctxHeaders(count, pairs));
    const baggage = propagation.getBaggage(createPropagator(ALL).extract(ROOT_CONTEXT, carrier, headerGetter));
    expect(counts.ownKeys).toBe(1);
    // 64 names, each under one or two spellings, and uber-trace-id.
    expect(counts.total()).toBeLessThanOrEqual(64 * (pairs ? 2 : 1) + 1);
    if (pairs) expect(baggage).toBeUndefined();
    else expect(baggage?.getAllEntries()).toHaveLength(64);
  });

  it('a foreign getter is asked for its keys once and for at most 64 uberctx values', () => {
    const headers = uberctxHeaders(5_000, true);
    let keys = 0;
    let gets = 0;
    const getter: TextMapGetter<Record<string, unknown>> = {
      keys: (carrier) => (keys++, Object.keys(carrier)),
      get: (carrier, key) => (gets++, headerGetter.get(carrier, key)),
    };
    new JaegerPropagator().extract(ROOT_CONTEXT, headers, getter);
    expect(keys).toBe(1);
    expect(gets).toBeLessThanOrEqual(64 + 1);
  });

  it('skipped entries count: 64 oversized values first, then valid ones, stop the scan', () => {
    const headers: Record<string, unknown> = {};
    for (let i = 0; i < 64; i++) headers[`uberctx-big${i}`] = 'x'.repeat(9_000);
    for (let i = 0; i < 1_000; i++) headers[`uberctx-ok${i}`] = 'v';
    const { carrier, counts } = countingCarrier(headers);
    const baggage = propagation.getBaggage(new JaegerPropagator().extract(ROOT_CONTEXT, carrier, headerGetter));
    expect(baggage).toBeUndefined();
    expect(counts.total()).toBe(64);
  });
});

describe('a repeated header is read up to its limit', () => {
  it('an array of 100 000 values under baggage and traceparent is read for at most 128 of them', () => {
    const values = Array.from({ length: 100_000 }, (_, i) => `k${i}=v`);
    const baggage = countingArray(values);
    const traceparent = countingArray(Array.from({ length: 100_000 }, () => `00-${T}-${S}-01`));
    const extracted = createPropagator(ALL).extract(ROOT_CONTEXT, { baggage: baggage.array, traceparent: traceparent.array }, headerGetter);
    expect(baggage.reads()).toBeLessThanOrEqual(128);
    expect(traceparent.reads()).toBeLessThanOrEqual(128);
    expect(propagation.getBaggage(extracted)?.getAllEntries()).toHaveLength(64);
    expect(trace.getSpanContext(extracted)?.traceId).toBe(T);
  });

  it('decodeHeaderValue keeps every distinct value, in order, in one pass', () => {
    const values = Array.from({ length: 50_000 }, (_, i) => `v${i % 25_000}`);
    const decoded = decodeHeaderValue(values) as string[];
    expect(decoded).toHaveLength(25_000);
    expect(decoded[0]).toBe('v0');
    expect(decoded[24_999]).toBe('v24999');
  });
});
