// The acceptance lines of issue 3, each as a test.
import { ROOT_CONTEXT, TraceFlags, context, propagation, trace } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { headerGetter, headerSetter } from '../../src/header-carrier.js';
import { injectHeaders } from '../../src/inject-headers.js';
import { extractInbound, startConsumerSpan, startProducerSpan } from '../../src/index.js';
import { createPropagator } from '../../src/propagation/create-propagator.js';
import { resolveOptions } from '../../src/resolve-options.js';
import { createTestTracing, parentSpanId } from '../support/otel.js';

const scope = { name: 'acceptance', version: '0.0.0' };
const tracing = createTestTracing();
const T = '0af7651916cd43dd8448eb211c80319c';
const S = 'b7ad6b7169203331';
const active = trace.setSpanContext(ROOT_CONTEXT, { traceId: T, spanId: S, traceFlags: TraceFlags.SAMPLED });

beforeEach(() => tracing.reset());
afterEach(() => vi.unstubAllEnvs());

/** What a kafkajs consumer receives: every header value as a Buffer. */
const asBuffers = (headers: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, Buffer.from(String(value))]));

describe("createPropagator('b3multi')", () => {
  it('injects lowercase x-b3-* keys', () => {
    const carrier: Record<string, unknown> = {};
    createPropagator('b3multi').inject(active, carrier, headerSetter);
    expect(carrier).toEqual({ 'x-b3-traceid': T, 'x-b3-spanid': S, 'x-b3-sampled': '1' });
  });

  it('injects X-B3-TraceId etc. when b3CanonicalCase is set, and reads either case', () => {
    const resolved = resolveOptions({ propagator: 'b3multi', b3CanonicalCase: true }, scope);
    const carrier: Record<string, unknown> = {};
    resolved.injector.inject(active, carrier, headerSetter);
    expect(carrier).toEqual({ 'X-B3-TraceId': T, 'X-B3-SpanId': S, 'X-B3-Sampled': '1' });
    expect(trace.getSpanContext(createPropagator('b3multi').extract(ROOT_CONTEXT, asBuffers(carrier), headerGetter))?.traceId).toBe(T);
  });
});

describe("createPropagator(['tracecontext','b3multi'])", () => {
  it('round-trips: writes both formats and reads the same context back', () => {
    const propagator = createPropagator(['tracecontext', 'b3multi']);
    const carrier: Record<string, unknown> = {};
    propagator.inject(active, carrier, headerSetter);
    expect(carrier).toEqual({ traceparent: `00-${T}-${S}-01`, 'x-b3-traceid': T, 'x-b3-spanid': S, 'x-b3-sampled': '1' });
    for (const delivered of [carrier, asBuffers(carrier)]) {
      expect(trace.getSpanContext(propagator.extract(ROOT_CONTEXT, delivered, headerGetter))).toEqual({
        traceId: T,
        spanId: S,
        traceFlags: TraceFlags.SAMPLED,
        isRemote: true,
      });
    }
  });
});

describe("propagator: 'tracecontext', extract: 'tracecontext,b3,b3multi'", () => {
  const consumerOptions = { propagator: 'tracecontext', extract: 'tracecontext,b3,b3multi', tracerProvider: tracing.provider } as const;

  it.each(['b3', 'b3multi'])('continues a trace sent by a %s-only producer', (producerFormat) => {
    // The producer: a B3-only deployment, its PRODUCER span injected into the message.
    const producer = resolveOptions({ propagator: producerFormat, tracerProvider: tracing.provider }, scope);
    const sent = startProducerSpan(producer, { name: 'send orders', attributes: {}, parent: ROOT_CONTEXT });
    const wire = asBuffers(injectHeaders({ 'x-app': 'order-1' }, sent.context, producer.injector, { owned: producer.ownedHeaders }));
    sent.span!.end();
    const producerSpan = tracing.spansNamed('send orders')[0]!;
    expect(Object.keys(wire).some((name) => name === 'b3' || name.startsWith('x-b3-'))).toBe(true);
    expect(wire.traceparent).toBeUndefined();

    // The consumer: W3C deployment that accepts B3 while the fleet migrates.
    const consumer = resolveOptions(consumerOptions, scope);
    const inbound = extractInbound(consumer, wire);
    const { span, context: processing } = startConsumerSpan(consumer, { name: 'process orders', attributes: {}, inbound, base: ROOT_CONTEXT });
    span!.end();
    const processSpan = tracing.spansNamed('process orders')[0]!;
    expect(processSpan.spanContext().traceId).toBe(producerSpan.spanContext().traceId);
    expect(parentSpanId(processSpan)).toBe(producerSpan.spanContext().spanId);

    // Forwarding from the handler writes W3C only, and drops the stale B3 headers.
    const forwarded = context.with(processing, () => injectHeaders(wire, context.active(), consumer.injector, { owned: consumer.ownedHeaders }));
    expect(Object.keys(forwarded).sort()).toEqual(['traceparent', 'x-app']);
    expect(forwarded.traceparent).toBe(`00-${producerSpan.spanContext().traceId}-${processSpan.spanContext().spanId}-01`);
  });

  it('is also what TRACEHOP_EXTRACT_PROPAGATORS sets when the option is absent', () => {
    vi.stubEnv('OTEL_PROPAGATORS', 'tracecontext');
    vi.stubEnv('TRACEHOP_EXTRACT_PROPAGATORS', 'tracecontext,b3,b3multi');
    const consumer = resolveOptions({ tracerProvider: tracing.provider }, scope);
    const inbound = extractInbound(consumer, asBuffers({ b3: `${T}-${S}-1` }));
    expect(inbound.spanContext).toEqual({ traceId: T, spanId: S, traceFlags: TraceFlags.SAMPLED, isRemote: true });
    const carrier: Record<string, unknown> = {};
    consumer.injector.inject(active, carrier, headerSetter);
    expect(carrier).toEqual({ traceparent: `00-${T}-${S}-01` });
  });

  it('keeps inbound baggage only as the baggage policy allows', () => {
    const consumer = resolveOptions({ ...consumerOptions, extract: 'tracecontext,b3,baggage', baggage: ['tenant'] }, scope);
    const inbound = extractInbound(consumer, asBuffers({ b3: `${T}-${S}-1`, baggage: 'tenant=acme,secret=s3' }));
    expect(inbound.baggage?.getAllEntries()).toEqual([['tenant', { value: 'acme' }]]);
    expect(propagation.getBaggage(startConsumerSpan(consumer, { name: 'p', attributes: {}, inbound }).context)?.getEntry('secret')).toBeUndefined();
  });
});
