// tracehop beside the official @opentelemetry/instrumentation-kafkajs. The official
// instrumentation patches kafkajs when it is loaded, so it is registered first and kafkajs is
// required afterwards (createRequire); vitest runs each test file in its own process, so no
// other file sees the patched module. A raw (tracehop-free) consumer reads the headers as
// they travel.
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { ROOT_CONTEXT, context, propagation, trace } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import type * as KafkaJs from 'kafkajs';
import { instrumentConsumer, instrumentProducer } from '@tracehop/kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { countingProvider } from '../reliability/support/span-counter.js';

const { provider, counter } = countingProvider(1_000);
// What NodeSDK registers by default: W3C trace context and baggage, globally.
propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
registerInstrumentations({ instrumentations: [new KafkaJsInstrumentation()], tracerProvider: provider });
const { Kafka, logLevel } = createRequire(import.meta.url)('kafkajs') as typeof KafkaJs;

const kafka = new Kafka({ clientId: 'coexistence', brokers: inject('brokers').kafkaBrokers, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
beforeAll(() => admin.connect());
afterAll(() => admin.disconnect());

async function newTopic(): Promise<string> {
  const topic = `coexistence-${randomUUID()}`;
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  return topic;
}

/** Consumes the first message with `consumer` and returns what `handle` made of it. */
async function first<T>(consumer: KafkaJs.Consumer, topic: string, handle: (message: KafkaJs.KafkaMessage) => T): Promise<T> {
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const result = await new Promise<T>((resolve) => {
    void consumer.run({ eachMessage: async ({ message }) => resolve(handle(message)) });
  });
  await consumer.disconnect();
  return result;
}

/** The raw headers, every key with how many values it carries. */
function wireHeaders(message: KafkaJs.KafkaMessage): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(message.headers ?? {}).map(([key, value]) => [key, (Array.isArray(value) ? value : [value]).map((v) => String(v))]),
  );
}

const sendSpanOf = (topic: string, scope: string) => counter.kept.find((span) => span.name === `send ${topic}` && span.instrumentationScope.name === scope);

describe('tracehop and @opentelemetry/instrumentation-kafkajs on the same client', () => {
  it('the official instrumentation is really active (its spans exist)', async () => {
    const topic = await newTopic();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'official only' }] });
    await producer.disconnect();
    expect(sendSpanOf(topic, '@opentelemetry/instrumentation-kafkajs')).toBeDefined();
  });

  it('default setup: one traceparent and one baggage per message, consumer parents well defined', async () => {
    const topic = await newTopic();
    const producer = instrumentProducer(kafka.producer(), { tracerProvider: provider });
    await producer.connect();
    const app = provider.getTracer('app').startSpan('app');
    const withBaggage = propagation.setBaggage(trace.setSpan(ROOT_CONTEXT, app), propagation.createBaggage({ tenant: { value: 'acme' } }));
    await context.with(withBaggage, () => producer.send({ topic, messages: [{ value: 'both' }] }));
    app.end();
    await producer.disconnect();

    const headers = await first(kafka.consumer({ groupId: `coexistence-${randomUUID()}` }), topic, wireHeaders);
    console.info('[coexistence] kafkajs wire headers:', JSON.stringify(headers));
    const formatKeys = Object.keys(headers).filter((key) => /^(traceparent|tracestate|baggage|b3|x-b3-.*|uber-trace-id|uberctx-.*)$/i.test(key));
    expect(formatKeys.sort()).toEqual(['baggage', 'traceparent']);
    expect(headers.traceparent).toHaveLength(1);
    expect(headers.baggage).toEqual(['tenant=acme']);

    // Both send spans are children of the application's span. The official instrumentation
    // runs inside tracehop's wrapper and injects last, into the same keys: the message carries
    // its send span's context, once.
    const tracehopSend = sendSpanOf(topic, '@tracehop/kafkajs')!;
    const officialSend = sendSpanOf(topic, '@opentelemetry/instrumentation-kafkajs')!;
    expect(tracehopSend.parentSpanContext?.spanId).toBe(app.spanContext().spanId);
    expect(officialSend.parentSpanContext?.spanId).toBe(app.spanContext().spanId);
    expect(headers.traceparent).toEqual([`00-${app.spanContext().traceId}-${officialSend.spanContext().spanId}-01`]);

    // The consumer: tracehop's process span is the one the handler runs in, and its parent is
    // exactly the context the message carries — as is the official instrumentation's.
    const consumer = instrumentConsumer(kafka.consumer({ groupId: `coexistence-${randomUUID()}` }), { tracerProvider: provider });
    const inside = await first(consumer, topic, () => ({
      active: trace.getActiveSpan()!.spanContext().spanId,
      baggage: propagation.getBaggage(context.active())?.getEntry('tenant')?.value,
    }));
    const processes = counter.kept.filter((span) => span.name === `process ${topic}`);
    const tracehopProcess = processes.find((span) => span.instrumentationScope.name === '@tracehop/kafkajs')!;
    const officialProcess = processes.find((span) => span.instrumentationScope.name === '@opentelemetry/instrumentation-kafkajs')!;
    expect(inside).toEqual({ active: tracehopProcess.spanContext().spanId, baggage: 'acme' });
    expect(tracehopProcess.parentSpanContext?.spanId).toBe(officialSend.spanContext().spanId);
    expect(officialProcess.parentSpanContext?.spanId).toBe(officialSend.spanContext().spanId);
    expect(new Set(processes.map((span) => span.spanContext().traceId))).toEqual(new Set([app.spanContext().traceId]));
  });

  it('tracehop set to another format than the global one: two formats on the wire, one trace, no duplicate keys', async () => {
    const topic = await newTopic();
    const producer = instrumentProducer(kafka.producer(), { tracerProvider: provider, propagator: 'b3multi' });
    await producer.connect();
    const app = provider.getTracer('app').startSpan('app');
    await context.with(trace.setSpan(ROOT_CONTEXT, app), () => producer.send({ topic, messages: [{ value: 'b3 and w3c' }] }));
    app.end();
    await producer.disconnect();
    const headers = await first(kafka.consumer({ groupId: `coexistence-${randomUUID()}` }), topic, wireHeaders);
    const tracehopSend = sendSpanOf(topic, '@tracehop/kafkajs')!;
    const officialSend = sendSpanOf(topic, '@opentelemetry/instrumentation-kafkajs')!;
    // Each layer writes its own format, once: the W3C header names the official span, the B3
    // headers tracehop's; both are children of the same span of the same trace.
    expect(headers).toEqual({
      'x-b3-traceid': [app.spanContext().traceId],
      'x-b3-spanid': [tracehopSend.spanContext().spanId],
      'x-b3-sampled': ['1'],
      traceparent: [`00-${app.spanContext().traceId}-${officialSend.spanContext().spanId}-01`],
    });
  });
});
