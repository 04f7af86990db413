import { ROOT_CONTEXT, TraceFlags, context, propagation, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { extractAmqpContext, injectAmqpHeaders } from '../src/index.js';
import { installContextManager } from '../../core/test/support/otel.js';

installContextManager();

const spanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED };
const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const active = propagation.setBaggage(trace.setSpanContext(ROOT_CONTEXT, spanContext), propagation.createBaggage({ tenant: { value: 'acme' } }));

describe('injectAmqpHeaders', () => {
  it('writes the given context into a copy, stale values removed, user values by reference', () => {
    const bytes = Buffer.from([0, 255]);
    const headers = Object.freeze({ 'x-bytes': bytes, TraceParent: 'stale' });
    const out = injectAmqpHeaders(headers, active, { propagator: 'tracecontext,baggage' });
    expect(out).toEqual({ 'x-bytes': bytes, traceparent, baggage: 'tenant=acme' });
    expect(out['x-bytes']).toBe(bytes);
    expect(headers).toEqual({ 'x-bytes': bytes, TraceParent: 'stale' });
  });

  it('defaults to the active context, and to no headers', () => {
    const out = context.with(active, () => injectAmqpHeaders(undefined, undefined, { propagator: 'b3' }));
    expect(out).toEqual({ b3: '0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1' });
  });

  it('leaves headers that are too large on their own without context, and says so', () => {
    const headers = { 'x-huge': 'x'.repeat(70_000) };
    expect(injectAmqpHeaders(headers, active, { propagator: 'tracecontext' })).toEqual(headers);
  });
});

describe('extractAmqpContext', () => {
  it('restores the producer’s span as the parent, from strings or Buffers, with its baggage', () => {
    for (const headers of [{ traceparent, baggage: 'tenant=acme' }, { traceparent: Buffer.from(traceparent), baggage: Buffer.from('tenant=acme') }]) {
      const restored = extractAmqpContext(headers, { propagator: 'tracecontext,baggage' });
      expect(trace.getSpanContext(restored)).toEqual({ ...spanContext, isRemote: true });
      expect(propagation.getBaggage(restored)?.getEntry('tenant')?.value).toBe('acme');
    }
  });

  it('honours the inbound and baggage policies', () => {
    const headers = { traceparent, baggage: 'tenant=acme' };
    const ambient = trace.setSpanContext(ROOT_CONTEXT, { ...spanContext, spanId: '1111111111111111' });
    // Built from the root: nothing of the caller's context (its span) is in the result.
    const linked = context.with(ambient, () => extractAmqpContext(headers, { inbound: 'link', baggage: 'drop' }));
    expect(trace.getSpanContext(linked)).toBeUndefined();
    expect(propagation.getBaggage(linked)).toBeUndefined();
    const parent = context.with(ambient, () => extractAmqpContext(headers, { baggage: ['tenant'] }));
    expect(trace.getSpanContext(parent)?.spanId).toBe(spanContext.spanId);
    expect(propagation.getBaggage(parent)?.getEntry('tenant')?.value).toBe('acme');
    const ignored = context.with(ambient, () => extractAmqpContext(headers, { inbound: 'ignore' }));
    expect(trace.getSpanContext(ignored)).toBeUndefined();
  });

  it('gives a message without context no span, and never throws on garbage', () => {
    expect(trace.getSpanContext(extractAmqpContext({ traceparent: 42, baggage: { nested: true } }))).toBeUndefined();
    expect(trace.getSpanContext(extractAmqpContext(undefined))).toBeUndefined();
  });
});
