import { ROOT_CONTEXT, context, trace } from '@opentelemetry/api';
import { Kafka, logLevel } from 'kafkajs';
import { beforeEach, describe, expect, it } from 'vitest';
import { instrumentKafka, isInstrumented } from '../src/index.js';
import { createTestTracing } from '../../core/test/support/otel.js';
import { fakeConsumer, fakeProducer, kafkaMessage, type FakeConsumer, type FakeProducer } from './support/kafka-fakes.js';

const tracing = createTestTracing();
beforeEach(() => tracing.reset());

describe('instrumentKafka', () => {
  it('wraps every producer and consumer the client creates, and keeps the client itself', () => {
    const kafka = new Kafka({ clientId: 'app', brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING });
    const traced = instrumentKafka(kafka, { tracerProvider: tracing.provider });
    expect(traced).toBeInstanceOf(Kafka);
    expect(isInstrumented(traced.producer())).toBe(true);
    expect(isInstrumented(traced.consumer({ groupId: 'g' }))).toBe(true);
    expect(isInstrumented(kafka.producer())).toBe(false);
    // Methods that are not wrapped still reach the client's private state.
    expect(typeof traced.admin().connect).toBe('function');
    expect(typeof traced.logger().info).toBe('function');
    expect(instrumentKafka(traced)).toBe(traced);
  });

  it('shares its options, and takes the group id from the consumer config', async () => {
    let producer!: FakeProducer;
    let consumer!: FakeConsumer;
    const kafka = {
      producer: () => (producer = fakeProducer()),
      consumer: () => (consumer = fakeConsumer()),
    } as unknown as Kafka;
    const traced = instrumentKafka(kafka, { tracerProvider: tracing.provider, propagator: 'b3', clientId: 'app' });
    const parent = tracing.provider.getTracer('test').startSpan('parent');
    await context.with(trace.setSpan(ROOT_CONTEXT, parent), () => traced.producer().send({ topic: 'orders', messages: [{ value: 'v' }] }));
    const sent = producer.records[0]!.messages[0]!.headers!;
    const [send] = tracing.spansNamed('send orders');
    expect(sent).toEqual({ b3: `${send!.spanContext().traceId}-${send!.spanContext().spanId}-1` });
    expect(send!.attributes['messaging.client.id']).toBe('app');

    await traced.consumer({ groupId: 'billing' }).run({ eachMessage: async () => undefined });
    await consumer.deliver('orders', 0, kafkaMessage({ headers: { b3: Buffer.from(String(sent.b3)) } }));
    const [process] = tracing.spansNamed('process orders');
    expect(process!.attributes['messaging.consumer.group.name']).toBe('billing');
    expect(process!.parentSpanContext?.spanId).toBe(send!.spanContext().spanId);
  });
});
