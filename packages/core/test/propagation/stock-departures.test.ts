// Each known departure of the stock OpenTelemetry JS propagators from their specifications,
// shown on the very vector that the vector suite checks: the stock propagator really does
// the wrong thing (so the vector would fail with it), and tracehop's does what the spec says.
import type { Context, TextMapPropagator } from '@opentelemetry/api';
import { ROOT_CONTEXT, TraceFlags, propagation, trace } from '@opentelemetry/api';
import { W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { B3InjectEncoding, B3Propagator as StockB3Propagator } from '@opentelemetry/propagator-b3';
import { JaegerPropagator as StockJaegerPropagator } from '@opentelemetry/propagator-jaeger';
import { describe, expect, it } from 'vitest';
import { headerGetter, headerSetter } from '../../src/header-carrier.js';
import { createPropagator } from '../../src/propagation/create-propagator.js';
import { baggageVectors } from './vectors/baggage.js';
import { b3Vectors } from './vectors/b3.js';
import { jaegerVectors } from './vectors/jaeger-and-mixed.js';
import { traceContextVectors } from './vectors/trace-context.js';
import { B3_SPAN_ID, B3_TRACE_ID, CHILD_SPAN_ID, W3C_SPAN_ID, W3C_TRACE_ID, type Vector } from './vectors/types.js';

function vector(list: Vector[], nameIncludes: string): Vector {
  const found = list.find((candidate) => candidate.name.includes(nameIncludes));
  if (found === undefined) throw new Error(`no vector named like "${nameIncludes}"`);
  return found;
}

const extractWith = (propagator: TextMapPropagator, headers: Vector['headers']) =>
  propagator.extract(ROOT_CONTEXT, { ...headers }, headerGetter);

function reinjectWith(propagator: TextMapPropagator, headers: Vector['headers']): Record<string, unknown> {
  const carrier: Record<string, unknown> = {};
  propagator.inject(extractWith(propagator, headers), carrier, headerSetter);
  return carrier;
}

const stockB3 = () => new StockB3Propagator({ injectEncoding: B3InjectEncoding.SINGLE_HEADER });
const b3Ids = { traceId: B3_TRACE_ID, spanId: B3_SPAN_ID };

describe('the five departures of the issue', () => {
  it('(a) traceparent flags ff: stock re-injects the invalid 0ff, tracehop writes 03', () => {
    const { headers, reinject } = vector(traceContextVectors, '(departure a)');
    expect(reinjectWith(new W3CTraceContextPropagator(), headers).traceparent).toMatch(/-0ff$/);
    expect(reinjectWith(createPropagator('tracecontext'), headers)).toEqual(reinject?.headers);
    expect(reinject?.headers.traceparent).toMatch(/-03$/);
  });

  it('(b) a 34-character B3 trace id: stock cuts it to its last 32, tracehop refuses it', () => {
    const { headers } = vector(b3Vectors, '(departure b)');
    expect(trace.getSpanContext(extractWith(stockB3(), headers))).toMatchObject(b3Ids);
    expect(trace.getSpanContext(extractWith(createPropagator('b3'), headers))).toBeUndefined();
  });

  it('(c) junk before the id and a fifth field: stock accepts, tracehop refuses', () => {
    const { headers } = vector(b3Vectors, '(departure c)');
    expect(trace.getSpanContext(extractWith(stockB3(), headers))).toMatchObject(b3Ids);
    expect(trace.getSpanContext(extractWith(createPropagator('b3'), headers))).toBeUndefined();
  });

  it('(d) sampling state x: stock accepts it as "not sampled", tracehop refuses the header', () => {
    const { headers } = vector(b3Vectors, '(departure d)');
    expect(trace.getSpanContext(extractWith(stockB3(), headers))).toMatchObject({ ...b3Ids, traceFlags: 0 });
    expect(trace.getSpanContext(extractWith(createPropagator('b3'), headers))).toBeUndefined();
  });

  it('(e) malformed b3 next to valid X-B3-*: stock finds nothing, tracehop uses the multi headers', () => {
    const { headers, spanContext } = vector(b3Vectors, '(departure e)');
    expect(trace.getSpanContext(extractWith(stockB3(), headers))).toBeUndefined();
    expect(trace.getSpanContext(extractWith(createPropagator('b3'), headers))).toEqual({ ...spanContext, isRemote: true });
  });
});

describe('further departures found while writing the vectors', () => {
  it('conflicting traceparent values: stock takes the first, tracehop none (W3C test suite)', () => {
    const { headers } = vector(traceContextVectors, 'conflicting repeated traceparent');
    expect(trace.getSpanContext(extractWith(new W3CTraceContextPropagator(), headers))).toBeDefined();
    expect(trace.getSpanContext(extractWith(createPropagator('tracecontext'), headers))).toBeUndefined();
  });

  it('a tracestate key given twice: stock keeps the last value, tracehop the first (leftmost)', () => {
    const { headers, spanContext } = vector(traceContextVectors, 'key given twice');
    expect(trace.getSpanContext(extractWith(new W3CTraceContextPropagator(), headers))?.traceState?.get('foo')).toBe('3');
    expect(trace.getSpanContext(extractWith(createPropagator('tracecontext'), headers))?.traceState?.serialize()).toBe(spanContext?.traceState);
  });

  it('the random-trace-id flag on a child span: stock drops it, tracehop carries it on', () => {
    const headers = { traceparent: `00-${W3C_TRACE_ID}-${W3C_SPAN_ID}-03` };
    const childOf = (extracted: Context) =>
      trace.setSpanContext(extracted, { traceId: W3C_TRACE_ID, spanId: CHILD_SPAN_ID, traceFlags: TraceFlags.SAMPLED });
    const stock = new W3CTraceContextPropagator();
    const stockOut: Record<string, string> = {};
    stock.inject(childOf(stock.extract(ROOT_CONTEXT, headers, headerGetter)), stockOut, headerSetter);
    expect(stockOut.traceparent).toBe(`00-${W3C_TRACE_ID}-${CHILD_SPAN_ID}-01`);
    const ours = createPropagator('tracecontext');
    const ourOut: Record<string, string> = {};
    ours.inject(childOf(ours.extract(ROOT_CONTEXT, headers, headerGetter)), ourOut, headerSetter);
    expect(ourOut.traceparent).toBe(`00-${W3C_TRACE_ID}-${CHILD_SPAN_ID}-03`);
  });

  it('Level 2 tracestate keys: stock drops a digit-first key and one with two @, tracehop keeps them', () => {
    const { headers, reinject } = vector(traceContextVectors, 'Level 2 keys');
    expect(reinjectWith(new W3CTraceContextPropagator(), headers).tracestate).toBe('rojo=00f067aa0ba902b7');
    expect(reinjectWith(createPropagator('tracecontext'), headers)).toEqual(reinject?.headers);
  });

  it('the Jaeger debug flag: stock drops it (and with it "sampled", which debug implies), tracehop writes 03', () => {
    const { headers, reinject } = vector(jaegerVectors, 'debug flag');
    expect(reinjectWith(new StockJaegerPropagator(), headers)['uber-trace-id']).toMatch(/:00$/);
    expect(reinjectWith(createPropagator('jaeger'), headers)).toEqual(reinject?.headers);
  });

  it('baggage bytes that are not UTF-8: stock drops the member, tracehop decodes to U+FFFD', () => {
    const { headers, baggage } = vector(baggageVectors, 'not UTF-8');
    expect(propagation.getBaggage(extractWith(new W3CBaggagePropagator(), headers))?.getEntry('k')).toBeUndefined();
    expect(propagation.getBaggage(extractWith(createPropagator('baggage'), headers))?.getEntry('k')?.value).toBe(baggage?.k);
  });

  it('an empty baggage value: stock drops the member, tracehop keeps it', () => {
    const { headers } = vector(baggageVectors, 'empty value');
    expect(propagation.getBaggage(extractWith(new W3CBaggagePropagator(), headers))?.getEntry('empty')).toBeUndefined();
    expect(propagation.getBaggage(extractWith(createPropagator('baggage'), headers))?.getEntry('empty')).toEqual({ value: '' });
  });

  it('one baggage member of 8192 bytes: stock drops it (its 4096-byte member limit), tracehop propagates it', () => {
    const { headers, reinject } = vector(baggageVectors, 'one member of 8192 bytes');
    expect(reinjectWith(new W3CBaggagePropagator(), headers)).toEqual({});
    expect(reinjectWith(createPropagator('baggage'), headers)).toEqual(reinject?.headers);
  });

  it('B3 debug read from b3: the stock multi-header injector writes it as X-B3-Sampled, tracehop as X-B3-Flags', () => {
    const { headers, reinject } = vector(b3Vectors, 'written as X-B3-Flags');
    const carrier: Record<string, unknown> = {};
    new StockB3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER }).inject(extractWith(stockB3(), headers), carrier, headerSetter);
    expect(carrier['x-b3-sampled']).toBe('1');
    expect(carrier['x-b3-flags']).toBeUndefined();
    const ours: Record<string, unknown> = {};
    createPropagator('b3multi').inject(extractWith(createPropagator('b3'), headers), ours, headerSetter);
    expect(ours).toEqual(reinject?.headers);
  });
});
