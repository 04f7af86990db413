// tracehop beside the official @opentelemetry/instrumentation-amqplib, registered before
// amqplib is loaded (createRequire after registerInstrumentations; this file runs in its own
// process). A raw (tracehop-free) channel reads the headers as they travel.
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { ROOT_CONTEXT, context, propagation, trace } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { AmqplibInstrumentation } from '@opentelemetry/instrumentation-amqplib';
import type * as Amqplib from 'amqplib';
import { instrumentChannel } from '@tracehop/amqplib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { countingProvider } from '../reliability/support/span-counter.js';

const { provider, counter } = countingProvider(1_000);
propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
registerInstrumentations({ instrumentations: [new AmqplibInstrumentation()], tracerProvider: provider });
const amqp = createRequire(import.meta.url)('amqplib') as typeof Amqplib;

let connection: Amqplib.ChannelModel;
beforeAll(async () => {
  connection = await amqp.connect(inject('brokers').amqpUrl);
});
afterAll(() => connection.close());

const OFFICIAL = '@opentelemetry/instrumentation-amqplib';
const TRACEHOP = '@tracehop/amqplib';
const FORMAT_KEY = /^(traceparent|tracestate|baggage|b3|x-b3-.*|uber-trace-id|uberctx-.*)$/i;

/** Publishes one message through a tracehop channel (options given), inside an app span with baggage. */
async function publishTraced(queue: string, options: Parameters<typeof instrumentChannel>[1]) {
  const channel = instrumentChannel(await connection.createConfirmChannel(), options);
  const app = provider.getTracer('app').startSpan('app');
  const active = propagation.setBaggage(trace.setSpan(ROOT_CONTEXT, app), propagation.createBaggage({ tenant: { value: 'acme' } }));
  await context.with(active, () => new Promise<void>((resolve, reject) => channel.sendToQueue(queue, Buffer.from('both'), {}, (error) => (error ? reject(error) : resolve()))));
  app.end();
  await channel.close();
  return app.spanContext();
}

/** Reads one message's headers on a channel tracehop does not wrap. */
async function rawHeaders(queue: string): Promise<Record<string, unknown>> {
  const channel = await connection.createChannel();
  const message = await new Promise<Amqplib.ConsumeMessage>((resolve) => {
    void channel.consume(queue, (m) => m && resolve(m), { noAck: true });
  });
  await channel.close();
  return message.properties.headers ?? {};
}

describe('tracehop and @opentelemetry/instrumentation-amqplib on the same channel', () => {
  it('default setup: one traceparent and one baggage per message, consumer parents well defined', async () => {
    const queue = `coexistence-${randomUUID()}`;
    const setup = await connection.createChannel();
    await setup.assertQueue(queue, { autoDelete: false });
    await setup.close();
    const app = await publishTraced(queue, { tracerProvider: provider });

    const headers = await rawHeaders(queue);
    console.info('[coexistence] amqplib wire headers:', JSON.stringify(headers));
    expect(Object.keys(headers).filter((key) => FORMAT_KEY.test(key)).sort()).toEqual(['baggage', 'traceparent']);
    expect(headers.baggage).toBe('tenant=acme');
    const official = counter.kept.find((span) => span.instrumentationScope.name === OFFICIAL && span.kind === 3 /* PRODUCER */)!;
    const ours = counter.kept.find((span) => span.instrumentationScope.name === TRACEHOP && span.name === `send ${queue}`)!;
    expect(official.parentSpanContext?.spanId).toBe(app.spanId);
    expect(ours.parentSpanContext?.spanId).toBe(app.spanId);
    // The official instrumentation runs inside tracehop's wrapper and injects last into the
    // same key: the message carries its publish span's context, once.
    expect(headers.traceparent).toBe(`00-${app.traceId}-${official.spanContext().spanId}-01`);

    // Consumer: the handler runs in tracehop's process span; both process spans' parent is
    // exactly the context the message carries (a second message, published the same way).
    const second = await publishTraced(queue, { tracerProvider: provider });
    const secondPublish = counter.kept.find((span) => span.instrumentationScope.name === OFFICIAL && span.kind === 3 && span.spanContext().traceId === second.traceId)!;
    const consumer = instrumentChannel(await connection.createChannel(), { tracerProvider: provider });
    const inside = await new Promise<{ active: string; baggage: string | undefined }>((resolve) => {
      void consumer.consume(queue, (message) => {
        if (message === null) return;
        resolve({ active: trace.getActiveSpan()!.spanContext().spanId, baggage: propagation.getBaggage(context.active())?.getEntry('tenant')?.value });
        consumer.ack(message);
      });
    });
    await consumer.deleteQueue(queue);
    await consumer.close();
    const processes = counter.kept.filter((span) => span.kind === 4 /* CONSUMER */ && span.spanContext().traceId === second.traceId);
    const ourProcess = processes.find((span) => span.instrumentationScope.name === TRACEHOP)!;
    const officialProcess = processes.find((span) => span.instrumentationScope.name === OFFICIAL)!;
    expect(inside).toEqual({ active: ourProcess.spanContext().spanId, baggage: 'acme' });
    expect(ourProcess.parentSpanContext?.spanId).toBe(secondPublish.spanContext().spanId);
    expect(officialProcess.parentSpanContext?.spanId).toBe(secondPublish.spanContext().spanId);
    expect(counter.open.size).toBe(0);
  });

  it('tracehop set to another format than the global one: each format once, one trace', async () => {
    const queue = `coexistence-${randomUUID()}`;
    const setup = await connection.createChannel();
    await setup.assertQueue(queue, { autoDelete: false });
    const app = await publishTraced(queue, { tracerProvider: provider, propagator: 'b3' });
    const headers = await rawHeaders(queue);
    await setup.deleteQueue(queue);
    await setup.close();
    const official = counter.kept.filter((span) => span.instrumentationScope.name === OFFICIAL && span.kind === 3).at(-1)!;
    const ours = counter.kept.find((span) => span.instrumentationScope.name === TRACEHOP && span.name === `send ${queue}`)!;
    expect(Object.keys(headers).filter((key) => FORMAT_KEY.test(key)).sort()).toEqual(['b3', 'baggage', 'traceparent']);
    expect(headers.b3).toBe(`${app.traceId}-${ours.spanContext().spanId}-1`);
    expect(headers.traceparent).toBe(`00-${app.traceId}-${official.spanContext().spanId}-01`);
  });
});
