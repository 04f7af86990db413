// The adapter contract: behaviours tracehop promises for every broker, written once and run
// against all three adapters on their real brokers. A new adapter joins by adding a driver.
import { createRequire } from 'node:module';
import { ROOT_CONTEXT, SpanStatusCode, context, propagation, trace, type Context, type TracerProvider } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { B3InjectEncoding, B3Propagator } from '@opentelemetry/propagator-b3';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTracing, parentSpanId, type Tracing } from '../support/tracing.js';
import type { AdapterDriver, AdapterModule, ContractOptions, Delivery, Pipe } from './driver.js';
import { amqplibDriver } from './drivers/amqplib.js';
import { kafkaDriver } from './drivers/kafkajs.js';
import { nsqjsDriver } from './drivers/nsqjs.js';

const drivers: AdapterDriver[] = [kafkaDriver, amqplibDriver, nsqjsDriver];
const requireBuilt = createRequire(import.meta.url);

/** What a handler saw: the active span and baggage, after an await (so context really flowed). */
interface Seen {
  readonly traceId: string | undefined;
  readonly spanId: string | undefined;
  readonly baggage: Record<string, string>;
}

function observe(): Promise<Seen> {
  return new Promise((resolve) =>
    setImmediate(() => {
      const spanContext = trace.getSpanContext(context.active());
      const baggage = Object.fromEntries((propagation.getBaggage(context.active())?.getAllEntries() ?? []).map(([k, v]) => [k, v.value]));
      resolve({ traceId: spanContext?.traceId, spanId: spanContext?.spanId, baggage });
    }),
  );
}

/** Starts the consumer and resolves with the first delivery (settled by default). */
async function firstDelivery(pipe: Pipe, settle = true, startIn: Context = context.active()): Promise<{ seen: Promise<Seen>; delivery: Promise<Delivery> }> {
  let resolveSeen!: (seen: Seen) => void;
  let resolveDelivery!: (delivery: Delivery) => void;
  const seen = new Promise<Seen>((resolve) => (resolveSeen = resolve));
  const delivery = new Promise<Delivery>((resolve) => (resolveDelivery = resolve));
  await context.with(startIn, () =>
    pipe.consume(async (message) => {
      resolveSeen(await observe());
      resolveDelivery(message);
      if (settle) message.settle();
    }),
  );
  return { seen, delivery };
}

const pipes: Pipe[] = [];
async function open(driver: AdapterDriver, options: ContractOptions & { tracerProvider?: TracerProvider }, module?: AdapterModule, openIn: Context = context.active()): Promise<Pipe> {
  const pipe = await context.with(openIn, () => driver.open(options, module));
  pipes.push(pipe);
  return pipe;
}

afterEach(async () => {
  propagation.disable();
  vi.unstubAllEnvs();
  for (const pipe of pipes.splice(0)) await pipe.close().catch(() => undefined);
});

/** A request's context, as in an app that connects lazily inside its first HTTP request. */
function requestContext(tracing: Tracing): Context {
  const request = tracing.provider.getTracer('app').startSpan('GET /checkout');
  request.end();
  return propagation.setBaggage(trace.setSpan(ROOT_CONTEXT, request), propagation.createBaggage({ user: { value: 'alice' } }));
}

/** Publishes one message inside a producer-side span with baggage; returns that span's context. */
async function publishFromProducer(pipe: Pipe, tracing: Tracing, payload: string) {
  const parent = tracing.provider.getTracer('app').startSpan('place order');
  const ctx = propagation.setBaggage(trace.setSpan(ROOT_CONTEXT, parent), propagation.createBaggage({ tenant: { value: 'acme' } }));
  await context.with(ctx, () => pipe.publish(payload));
  parent.end();
  return parent.spanContext();
}

describe.each(drivers)('adapter contract: $name', (driver) => {
  describe('a handler never inherits the ambient context of the client’s event loop', () => {
    it.each(['parent', 'link', 'ignore'] as const)('inbound %s: nothing of the context active at connect / consume reaches the handler', async (inbound) => {
      const tracing = createTracing();
      const ambient = requestContext(tracing);
      const pipe = await open(driver, { tracerProvider: tracing.provider, inbound }, undefined, ambient);
      const { seen } = await firstDelivery(pipe, true, ambient);
      const producer = await publishFromProducer(pipe, tracing, 'order-1');
      const handler = await seen;
      const [process] = await tracing.waitForSpans(driver.processSpanName(pipe), 1);
      const [send] = tracing.spans().filter((span) => span.name.startsWith('send '));
      const ambientTrace = trace.getSpanContext(ambient)!.traceId;
      expect(handler.baggage).toEqual({ tenant: 'acme' });
      expect(process!.spanContext().traceId).not.toBe(ambientTrace);
      expect(handler.spanId).toBe(process!.spanContext().spanId);
      if (inbound === 'parent') {
        expect(process!.spanContext().traceId).toBe(producer.traceId);
        expect(parentSpanId(process!)).toBe(send!.spanContext().spanId);
      } else {
        expect(parentSpanId(process!)).toBeUndefined();
        expect(process!.spanContext().traceId).not.toBe(producer.traceId);
        expect(process!.links.map((link) => link.context.spanId)).toEqual(inbound === 'link' ? [send!.spanContext().spanId] : []);
      }
    });

    it('baggage: drop leaves no baggage at all — neither the message’s nor the connection’s', async () => {
      const tracing = createTracing();
      const ambient = requestContext(tracing);
      const pipe = await open(driver, { tracerProvider: tracing.provider, baggage: 'drop' }, undefined, ambient);
      const { seen } = await firstDelivery(pipe, true, ambient);
      await publishFromProducer(pipe, tracing, 'order-2');
      expect((await seen).baggage).toEqual({});
    });
  });

  describe('configuration is read when used: messaging agrees with what the SDK injects into HTTP', () => {
    it('a client wrapped before the SDK started follows the propagator the SDK registered', async () => {
      const tracing = createTracing();
      const pipe = await open(driver, { tracerProvider: tracing.provider });
      // The SDK starts after the client was wrapped, with B3 multi-header (its stock propagator).
      propagation.setGlobalPropagator(new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER }));
      const headers = await pipe.captureRawHeaders(() => publishFromProducer(pipe, tracing, 'b3').then(() => undefined));
      const [send] = tracing.spans().filter((span) => span.name.startsWith('send '));
      expect(headers['x-b3-traceid']).toBe(send!.spanContext().traceId);
      expect(headers['x-b3-spanid']).toBe(send!.spanContext().spanId);
      expect(headers.traceparent).toBeUndefined();
    });

    it('a propagator set in code (NodeSDK textMapPropagator) beats OTEL_PROPAGATORS, done by tracehop’s own implementation', async () => {
      vi.stubEnv('OTEL_PROPAGATORS', 'b3');
      const tracing = createTracing();
      const pipe = await open(driver, { tracerProvider: tracing.provider });
      propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
      const headers = await pipe.captureRawHeaders(() => publishFromProducer(pipe, tracing, 'w3c').then(() => undefined));
      const [send] = tracing.spans().filter((span) => span.name.startsWith('send '));
      expect(headers.traceparent).toBe(`00-${send!.spanContext().traceId}-${send!.spanContext().spanId}-01`);
      expect(headers.baggage).toBe('tenant=acme');
      expect(headers.b3).toBeUndefined();
    });
  });

  it('one state per process: a client wrapped by the CJS build is the same wrapper to the source build, one span set', async () => {
    const tracing = createTracing();
    const cjs = requireBuilt(`../../packages/${driver.name}/dist/cjs/index.js`) as AdapterModule;
    const source = (await import(`@tracehop/${driver.name}`)) as AdapterModule;
    const pipe = await open(driver, { tracerProvider: tracing.provider }, cjs);
    expect(pipe.rewrap(source)).toBe(true);
    const { seen } = await firstDelivery(pipe);
    await publishFromProducer(pipe, tracing, 'once');
    await seen;
    const [process] = await tracing.waitForSpans(driver.processSpanName(pipe), 1);
    const sends = tracing.spans().filter((span) => span.name.startsWith('send '));
    expect(sends).toHaveLength(1);
    expect(tracing.spansNamed(driver.processSpanName(pipe))).toHaveLength(1);
    expect(parentSpanId(process!)).toBe(sends[0]!.spanContext().spanId);
  });

  describe('instrumentation never throws into user code, and every started span ends', () => {
    it('a tracer whose startSpan throws: the message is published and delivered, nothing thrown', async () => {
      const throwing = { getTracer: () => ({ startSpan: () => { throw new Error('tracer bug'); }, startActiveSpan: () => { throw new Error('tracer bug'); } }) };
      const pipe = await open(driver, { tracerProvider: throwing as unknown as TracerProvider });
      const { delivery } = await firstDelivery(pipe);
      await pipe.publish('despite the tracer');
      expect((await delivery).payload).toBe('despite the tracer');
    });

    it('a span processor that throws: delivered, nothing thrown, no span left open', async () => {
      const processor: SpanProcessor = {
        onStart: () => { throw new Error('processor bug'); },
        onEnd: () => undefined,
        forceFlush: () => Promise.resolve(),
        shutdown: () => Promise.resolve(),
      };
      const tracing = createTracing([processor]);
      const pipe = await open(driver, { tracerProvider: tracing.provider });
      const { delivery } = await firstDelivery(pipe);
      await pipe.publish('despite the processor');
      expect((await delivery).payload).toBe('despite the processor');
      expect(tracing.openSpans()).toBe(0);
    });

  });

  it('closing with a message unsettled ends its span (ERROR where the message was left unsettled)', async () => {
    const tracing = createTracing();
    const pipe = await open(driver, { tracerProvider: tracing.provider });
    const { delivery } = await firstDelivery(pipe, false);
    await pipe.publish('left unsettled');
    await delivery;
    await pipe.close();
    pipes.splice(pipes.indexOf(pipe), 1);
    const [process] = await tracing.waitForSpans(driver.processSpanName(pipe), 1);
    expect(tracing.openSpans()).toBe(0);
    expect(process!.status.code).toBe(driver.explicitSettlement ? SpanStatusCode.ERROR : SpanStatusCode.UNSET);
  });
});

// NSQ messages carry no user headers (the envelope is tracehop's own), so this one runs on the
// brokers whose messages do.
describe.each(drivers.filter((driver) => driver.userHeaders))('adapter contract, user headers: $name', (driver) => {
  it('a header getter that throws on tracehop’s read: delivered untraced, every started span ended', async () => {
    const tracing = createTracing();
    const pipe = await open(driver, { tracerProvider: tracing.provider });
    const { delivery } = await firstDelivery(pipe);
    let reads = 0;
    const headers = Object.defineProperty({ 'x-ok': 'yes' }, 'x-trap', {
      enumerable: true,
      get: () => {
        if (reads++ === 0) throw new Error('getter bug');
        return 'sprung';
      },
    });
    await pipe.publish('hostile headers', headers);
    expect((await delivery).payload).toBe('hostile headers');
    await tracing.waitUntil(() => tracing.openSpans() === 0);
    expect(tracing.openSpans()).toBe(0);
  });
});
