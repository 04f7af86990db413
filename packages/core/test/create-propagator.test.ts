import { ROOT_CONTEXT, TraceFlags, diag, propagation, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPropagator, parsePropagatorNames } from '../src/propagation/create-propagator.js';
import { headerGetter, headerSetter } from '../src/header-carrier.js';

const spanContext = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED };

afterEach(() => vi.restoreAllMocks());

describe('parsePropagatorNames', () => {
  it('reads OTEL_PROPAGATORS syntax: order kept, duplicates removed, trimmed, case-folded', () => {
    expect(parsePropagatorNames(' tracecontext , Baggage,tracecontext,b3multi ')).toEqual(['tracecontext', 'baggage', 'b3multi']);
    expect(parsePropagatorNames(['b3', 'jaeger'])).toEqual(['b3', 'jaeger']);
  });

  it('lets none win', () => {
    expect(parsePropagatorNames('tracecontext,none,b3')).toEqual(['none']);
  });

  it('warns about unknown names through diag and skips them', () => {
    const warn = vi.spyOn(diag, 'warn');
    expect(parsePropagatorNames('tracecontext,xray')).toEqual(['tracecontext']);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('xray'));
  });
});

describe('createPropagator', () => {
  it('none injects nothing and owns nothing', () => {
    const carrier: Record<string, unknown> = {};
    const propagator = createPropagator('none');
    propagator.inject(trace.setSpanContext(ROOT_CONTEXT, spanContext), carrier, headerSetter);
    expect(carrier).toEqual({});
    expect(propagator.fields()).toEqual([]);
  });

  it('round-trips a span context and baggage with tracecontext,baggage', () => {
    const propagator = createPropagator('tracecontext,baggage');
    let ctx = trace.setSpanContext(ROOT_CONTEXT, spanContext);
    ctx = propagation.setBaggage(ctx, propagation.createBaggage({ tenant: { value: 'acme' } }));
    const carrier: Record<string, unknown> = {};
    propagator.inject(ctx, carrier, headerSetter);
    const extracted = propagator.extract(ROOT_CONTEXT, carrier, headerGetter);
    expect(trace.getSpanContext(extracted)).toMatchObject({ ...spanContext, isRemote: true });
    expect(propagation.getBaggage(extracted)?.getEntry('tenant')?.value).toBe('acme');
  });

  it('takes the first valid context in the configured order', () => {
    const other = { ...spanContext, traceId: '11111111111111111111111111111111' };
    const carrier: Record<string, unknown> = {};
    createPropagator('tracecontext').inject(trace.setSpanContext(ROOT_CONTEXT, spanContext), carrier, headerSetter);
    createPropagator('b3').inject(trace.setSpanContext(ROOT_CONTEXT, other), carrier, headerSetter);
    const w3cFirst = createPropagator('tracecontext,b3').extract(ROOT_CONTEXT, carrier, headerGetter);
    const b3First = createPropagator('b3,tracecontext').extract(ROOT_CONTEXT, carrier, headerGetter);
    expect(trace.getSpanContext(w3cFirst)?.traceId).toBe(spanContext.traceId);
    expect(trace.getSpanContext(b3First)?.traceId).toBe(other.traceId);
  });

  it('falls through to the next format when the first is invalid', () => {
    const carrier: Record<string, unknown> = { traceparent: 'garbage' };
    createPropagator('b3').inject(trace.setSpanContext(ROOT_CONTEXT, spanContext), carrier, headerSetter);
    const extracted = createPropagator('tracecontext,b3').extract(ROOT_CONTEXT, carrier, headerGetter);
    expect(trace.getSpanContext(extracted)?.traceId).toBe(spanContext.traceId);
  });
});
