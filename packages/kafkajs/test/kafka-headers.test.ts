import { ROOT_CONTEXT, context, propagation, trace } from '@opentelemetry/api';
import type { IHeaders } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { createPropagator } from '@tracehop/core';
import { extractKafkaContext, injectKafkaHeaders } from '../src/index.js';
import { installContextManager } from '../../core/test/support/otel.js';
import { PRODUCER_CONTEXT, inboundHeaders } from './support/kafka-fakes.js';

installContextManager();

const TRACEPARENT = `00-${PRODUCER_CONTEXT.traceId}-${PRODUCER_CONTEXT.spanId}-01`;
const producerContext = () => trace.setSpanContext(ROOT_CONTEXT, PRODUCER_CONTEXT);

afterEach(() => {
  delete process.env.OTEL_PROPAGATORS;
  propagation.disable();
});

describe('injectKafkaHeaders', () => {
  it('returns a copy carrying the context, user values by reference, no nullish values', () => {
    const bytes = Buffer.from([0, 159, 146, 150]);
    const headers = { 'x-bytes': bytes, 'x-list': ['a', 'b'], TRACEPARENT: 'stale', nil: undefined } as IHeaders;
    const out = injectKafkaHeaders(headers, producerContext(), { propagator: 'tracecontext' });
    expect(out).toEqual({ 'x-bytes': bytes, 'x-list': ['a', 'b'], traceparent: TRACEPARENT });
    expect(out['x-bytes']).toBe(bytes);
    expect(headers).toEqual({ 'x-bytes': bytes, 'x-list': ['a', 'b'], TRACEPARENT: 'stale', nil: undefined });
  });

  it('defaults to the active context and to OTEL_PROPAGATORS', () => {
    process.env.OTEL_PROPAGATORS = 'b3';
    const out = context.with(producerContext(), () => injectKafkaHeaders(undefined));
    expect(out).toEqual({ b3: `${PRODUCER_CONTEXT.traceId}-${PRODUCER_CONTEXT.spanId}-1` });
  });

  it('without options, follows a propagator an SDK registers after the first call', () => {
    process.env.OTEL_PROPAGATORS = 'tracecontext';
    expect(Object.keys(injectKafkaHeaders({}, producerContext()))).toEqual(['traceparent']);
    propagation.setGlobalPropagator(createPropagator('b3multi'));
    expect(Object.keys(injectKafkaHeaders({}, producerContext()))).toEqual(['x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled']);
    propagation.disable();
    expect(Object.keys(injectKafkaHeaders({}, producerContext()))).toEqual(['traceparent']);
  });
});

describe('extractKafkaContext', () => {
  it('gives the producer span as the remote parent and the baggage per policy', () => {
    const headers = inboundHeaders(PRODUCER_CONTEXT, { tenant: 'acme', secret: 's' });
    const ctx = extractKafkaContext(headers, { propagator: 'tracecontext,baggage', baggage: ['tenant'] });
    expect(trace.getSpanContext(ctx)).toEqual({ ...PRODUCER_CONTEXT, isRemote: true });
    expect(propagation.getBaggage(ctx)?.getAllEntries().map(([key]) => key)).toEqual(['tenant']);
  });

  it('accepts every format of a migration set, first valid one wins', () => {
    const options = { propagator: 'tracecontext', extract: 'tracecontext,b3,b3multi' };
    const b3multi = inboundHeaders(PRODUCER_CONTEXT, undefined, 'b3multi');
    expect(trace.getSpanContext(extractKafkaContext(b3multi, options))?.spanId).toBe(PRODUCER_CONTEXT.spanId);
    const both = { ...inboundHeaders({ ...PRODUCER_CONTEXT, spanId: '1111111111111111' }, undefined, 'b3'), traceparent: Buffer.from(TRACEPARENT) };
    expect(trace.getSpanContext(extractKafkaContext(both, options))?.spanId).toBe(PRODUCER_CONTEXT.spanId);
  });

  it('garbage, nothing, or inbound ignore: no span, never a throw', () => {
    const active = trace.setSpanContext(ROOT_CONTEXT, { ...PRODUCER_CONTEXT, spanId: '3333333333333333' });
    context.with(active, () => {
      for (const headers of [undefined, null, {}, { traceparent: Buffer.from([0xc3, 0x28]) }, { traceparent: 7 } as unknown as IHeaders]) {
        expect(trace.getSpanContext(extractKafkaContext(headers))).toBeUndefined();
      }
      expect(trace.getSpanContext(extractKafkaContext(inboundHeaders(), { inbound: 'ignore' }))).toBeUndefined();
    });
  });
});
