// KafkajsInstrumentation's enable() / disable() / setConfig(), on the real broker. kafkajs is
// required after the instrumentation is registered (createRequire), as an app's dependencies
// are; vitest runs each file in its own process, so nothing else sees the patched module.
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { KafkajsInstrumentation, isInstrumented } from '@tracehop/kafkajs';
import type * as KafkaJs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTracing, parentSpanId } from '../support/tracing.js';
import { Inbox } from './support/inbox.js';

const tracing = createTracing();
const instrumentation = new KafkajsInstrumentation();
registerInstrumentations({ instrumentations: [instrumentation], tracerProvider: tracing.provider });
const { Kafka, logLevel } = createRequire(import.meta.url)('kafkajs') as typeof KafkaJs;

const config = (): KafkaJs.KafkaConfig => ({ clientId: 'switch', brokers: inject('brokers').kafkaBrokers, logLevel: logLevel.NOTHING });
const topic = `switch-${randomUUID()}`;
const inbox = new Inbox();
let kafka: KafkaJs.Kafka;
let producer: KafkaJs.Producer;
let consumer: KafkaJs.Consumer;

beforeAll(async () => {
  kafka = new Kafka(config());
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  producer = kafka.producer();
  consumer = kafka.consumer({ groupId: `switch-${randomUUID()}` });
  await Promise.all([producer.connect(), consumer.connect()]);
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => inbox.push(String(message.value), message.headers) });
});

afterAll(async () => {
  await producer?.disconnect();
  await consumer?.disconnect();
});

/** Sends `body` and waits until the consumer has handled it (and its span, if any, has ended). */
async function roundTrip(sender: KafkaJs.Producer, body: string) {
  await sender.send({ topic, messages: [{ value: body }] });
  const received = await inbox.next(body);
  await tracing.waitUntil(() => tracing.openSpans() === 0);
  return received;
}

describe('KafkajsInstrumentation: enable, disable, setConfig', () => {
  it('enabled: clients made with `new Kafka()` are traced, process span child of send span', async () => {
    expect([isInstrumented(kafka), isInstrumented(producer), isInstrumented(consumer)]).toEqual([true, true, true]);
    const received = await roundTrip(producer, 'enabled');
    const [send] = tracing.spansNamed(`send ${topic}`);
    const [process] = tracing.spansNamed(`process ${topic}`);
    expect(received.headers).toEqual(['traceparent']);
    expect(parentSpanId(process!)).toBe(send!.spanContext().spanId);
    expect(received.activeSpanId).toBe(process!.spanContext().spanId);
    expect(send!.attributes['messaging.client.id']).toBe('switch');
  });

  it('disabled: clients made while enabled stop tracing (no span, no header), new clients are kafkajs’ own', async () => {
    tracing.reset();
    instrumentation.disable();
    const received = await roundTrip(producer, 'disabled');
    expect(received.headers).toEqual([]);
    expect(received.activeSpanId).toBeUndefined();
    expect(tracing.spans()).toEqual([]);
    expect(isInstrumented(new Kafka(config()))).toBe(false);
  });

  it('enabled again: the same clients trace again', async () => {
    tracing.reset();
    instrumentation.enable();
    const received = await roundTrip(producer, 're-enabled');
    expect(received.headers).toEqual(['traceparent']);
    expect(tracing.spansNamed(`send ${topic}`)).toHaveLength(1);
    expect(tracing.spansNamed(`process ${topic}`)).toHaveLength(1);
  });

  it('setConfig: clients created afterwards take the new options, earlier ones keep theirs', async () => {
    tracing.reset();
    instrumentation.setConfig({ publishHook: (span) => span.setAttribute('app.config', 'second'), clientId: 'configured' });
    const later = new Kafka(config()).producer();
    await later.connect();
    try {
      await roundTrip(later, 'new options');
      await roundTrip(producer, 'old options');
    } finally {
      await later.disconnect();
    }
    const [fresh, old] = tracing.spansNamed(`send ${topic}`);
    expect(fresh!.attributes['app.config']).toBe('second');
    expect(fresh!.attributes['messaging.client.id']).toBe('configured');
    expect(old!.attributes['app.config']).toBeUndefined();
    expect(old!.attributes['messaging.client.id']).toBe('switch');
  });
});
