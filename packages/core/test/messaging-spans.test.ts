import { ROOT_CONTEXT, SpanKind, TraceFlags, context, propagation, trace } from '@opentelemetry/api';
import { beforeEach, describe, expect, it } from 'vitest';
import { headerSetter } from '../src/header-carrier.js';
import { extractInbound, startConsumerSpan, startProducerSpan } from '../src/index.js';
import type { TracehopOptions } from '../src/options.js';
import { createPropagator } from '../src/propagation/create-propagator.js';
import { resolveOptions } from '../src/resolve-options.js';
import { createTestTracing, parentSpanId } from './support/otel.js';

const scope = { name: 'test', version: '0.0.0' };
const tracing = createTestTracing();
beforeEach(() => tracing.reset());

const producerContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED };

function messageHeaders(withBaggage = true): Record<string, unknown> {
  let ctx = trace.setSpanContext(ROOT_CONTEXT, producerContext);
  if (withBaggage) ctx = propagation.setBaggage(ctx, propagation.createBaggage({ tenant: { value: 'acme' }, secret: { value: 's' } }));
  const headers: Record<string, unknown> = {};
  createPropagator('tracecontext,baggage').inject(ctx, headers, headerSetter);
  return headers;
}

function resolved(options: TracehopOptions = {}) {
  return resolveOptions({ propagator: 'tracecontext,baggage', tracerProvider: tracing.provider, ...options }, scope);
}

function consume(options: TracehopOptions, headers = messageHeaders(), active = context.active()) {
  const r = resolved(options);
  // The ambient context is active while the span starts, as in a client's socket callback.
  const { span, context: ctx } = context.with(active, () =>
    startConsumerSpan(r, { name: 'process orders', attributes: {}, inbound: extractInbound(r, headers) }),
  );
  const baggage = propagation.getBaggage(ctx);
  span?.end();
  return { span: tracing.spans().at(-1)!, baggage, ctx };
}

describe('startProducerSpan', () => {
  it('makes a PRODUCER child of the active span and returns its context to inject', () => {
    const r = resolved();
    const parent = tracing.provider.getTracer('t').startSpan('parent');
    const { span, context: ctx } = context.with(trace.setSpan(ROOT_CONTEXT, parent), () =>
      startProducerSpan(r, { name: 'send orders', attributes: { 'messaging.system': 'kafka' } }),
    );
    span!.end();
    const [finished] = tracing.spans();
    expect(finished!.kind).toBe(SpanKind.PRODUCER);
    expect(finished!.name).toBe('send orders');
    expect(parentSpanId(finished!)).toBe(parent.spanContext().spanId);
    expect(trace.getSpanContext(ctx)?.spanId).toBe(finished!.spanContext().spanId);
  });

  it('makes no span in propagate-only mode and injects the active context', () => {
    const r = resolved({ spans: false });
    const active = trace.setSpanContext(ROOT_CONTEXT, producerContext);
    const result = startProducerSpan(r, { name: 'send orders', attributes: {}, parent: active });
    expect(result.span).toBeUndefined();
    expect(result.context).toBe(active);
    expect(tracing.spans()).toHaveLength(0);
  });
});

describe('startConsumerSpan honours inbound', () => {
  it('parent: the producer span is the parent, baggage arrives', () => {
    const { span, baggage } = consume({});
    expect(span.kind).toBe(SpanKind.CONSUMER);
    expect(span.spanContext().traceId).toBe(producerContext.traceId);
    expect(parentSpanId(span)).toBe(producerContext.spanId);
    expect(span.links).toHaveLength(0);
    expect(baggage?.getEntry('tenant')?.value).toBe('acme');
  });

  it('link: a new trace that links to the producer span', () => {
    const { span } = consume({ inbound: 'link' });
    expect(span.spanContext().traceId).not.toBe(producerContext.traceId);
    expect(parentSpanId(span)).toBeUndefined();
    expect(span.links.map((link) => link.context.spanId)).toEqual([producerContext.spanId]);
  });

  it('link: a new root even when a span is active (the ambient context never reaches a handler)', () => {
    const ambient = tracing.provider.getTracer('t').startSpan('connect');
    const { span } = consume({ inbound: 'link' }, messageHeaders(), trace.setSpan(ROOT_CONTEXT, ambient));
    expect(parentSpanId(span)).toBeUndefined();
    expect(span.spanContext().traceId).not.toBe(ambient.spanContext().traceId);
    expect(span.links).toHaveLength(1);
  });

  it.each(['parent', 'link', 'ignore'] as const)('%s: ambient baggage never reaches the handler, even with baggage: drop', (inbound) => {
    const ambient = propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage({ user: { value: 'alice' } }));
    const { baggage } = consume({ inbound, baggage: 'drop' }, messageHeaders(), ambient);
    expect(baggage).toBeUndefined();
    const kept = consume({ inbound }, messageHeaders(false), ambient);
    expect(kept.baggage).toBeUndefined();
  });

  it('ignore: a new root without a link, even with an ambient span', () => {
    const ambient = tracing.provider.getTracer('t').startSpan('startup');
    const { span } = consume({ inbound: 'ignore' }, messageHeaders(), trace.setSpan(ROOT_CONTEXT, ambient));
    expect(span.spanContext().traceId).not.toBe(producerContext.traceId);
    expect(parentSpanId(span)).toBeUndefined();
    expect(span.links).toHaveLength(0);
  });

  it('a message without context is a new root, not a child of the ambient span', () => {
    const ambient = tracing.provider.getTracer('t').startSpan('startup');
    const { span } = consume({}, { 'x-other': 'header' }, trace.setSpan(ROOT_CONTEXT, ambient));
    expect(parentSpanId(span)).toBeUndefined();
  });

  it('garbage headers give a new root and never throw', () => {
    const { span } = consume({}, { traceparent: Buffer.from([0xff, 0xfe]), baggage: 42 as never });
    expect(parentSpanId(span)).toBeUndefined();
  });
});

describe('baggage policy', () => {
  it('drop removes inbound baggage', () => {
    expect(consume({ baggage: 'drop' }).baggage).toBeUndefined();
  });

  it('an allow-list keeps only the listed keys', () => {
    const { baggage } = consume({ baggage: ['tenant', 'absent'] });
    expect(baggage?.getAllEntries().map(([key]) => key)).toEqual(['tenant']);
  });
});

describe('propagate-only consumers', () => {
  it('restore the producer context without making spans', () => {
    const { ctx } = consume({ spans: false });
    expect(trace.getSpanContext(ctx)).toMatchObject({ ...producerContext, isRemote: true });
    expect(tracing.spans()).toHaveLength(0);
  });
});

describe('trace-wide flags', () => {
  it('carry the B3 debug flag from a message on to what the consumer sends (inbound parent)', () => {
    const r = resolveOptions({ propagator: 'b3multi', tracerProvider: tracing.provider }, scope);
    const inbound = extractInbound(r, {
      'x-b3-traceid': producerContext.traceId,
      'x-b3-spanid': producerContext.spanId,
      'x-b3-flags': '1',
    });
    const { span, context: ctx } = startConsumerSpan(r, { name: 'process orders', attributes: {}, inbound });
    const forwarded: Record<string, unknown> = {};
    r.injector.inject(ctx, forwarded, headerSetter);
    span?.end();
    expect(forwarded['x-b3-flags']).toBe('1');
    expect(forwarded['x-b3-traceid']).toBe(producerContext.traceId);
  });

  it('are not carried when the inbound context is only linked', () => {
    const r = resolveOptions({ propagator: 'b3', inbound: 'link', tracerProvider: tracing.provider }, scope);
    const inbound = extractInbound(r, { b3: `${producerContext.traceId}-${producerContext.spanId}-d` });
    const { span, context: ctx } = startConsumerSpan(r, { name: 'process orders', attributes: {}, inbound });
    const forwarded: Record<string, unknown> = {};
    r.injector.inject(ctx, forwarded, headerSetter);
    span?.end();
    expect(String(forwarded.b3)).not.toMatch(/-d$/);
  });
});
