// A kafkajs eachMessage handler that throws on its first delivery of one message: the traced
// consumer must go through exactly the same redeliveries as a raw one (kafkajs retries from
// the failed offset), with the very error object kafkajs reports, and no span left open.
import { randomUUID } from 'node:crypto';
import { SpanStatusCode } from '@opentelemetry/api';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { instrumentConsumer } from '@tracehop/kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitUntil } from './support/ledger.js';
import { countingProvider } from './support/span-counter.js';

const { provider, counter } = countingProvider(1_000);
const kafka = new Kafka({ clientId: 'reliability-throwing', brokers: inject('brokers').kafkaBrokers, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
const producer = kafka.producer();
beforeAll(() => Promise.all([admin.connect(), producer.connect()]));
afterAll(() => Promise.all([admin.disconnect(), producer.disconnect()]));

type Variant = 'raw' | 'traced';

async function run(variant: Variant) {
  const topic = `reliability-throwing-${randomUUID()}`;
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await producer.send({ topic, messages: Array.from({ length: 5 }, (_, i) => ({ value: `m${i}` })) });
  const raw = kafka.consumer({ groupId: `reliability-throwing-${randomUUID()}`, retry: { retries: 3, initialRetryTime: 100 } });
  const consumer: Consumer = variant === 'raw' ? raw : instrumentConsumer(raw, { tracerProvider: provider });
  const crashes: unknown[] = [];
  consumer.on(consumer.events.CRASH, (event) => crashes.push(event.payload.error));
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const deliveries: string[] = [];
  const thrown = new Error('handler failed on m2');
  let threw = false;
  await consumer.run({
    eachMessage: async ({ message }) => {
      const value = String(message.value);
      deliveries.push(value);
      if (value === 'm2' && !threw) {
        threw = true;
        throw thrown;
      }
    },
  });
  await waitUntil(() => deliveries.includes('m4'), 30_000);
  await consumer.disconnect();
  return { topic, deliveries, crashes, thrown };
}

describe('a throwing kafkajs handler: traced against raw', () => {
  it('the same redelivery sequence, the same (absent) crashes, an ERROR span for the failed attempt', async () => {
    const raw = await run('raw');
    const traced = await run('traced');
    expect(raw.deliveries).toEqual(['m0', 'm1', 'm2', 'm2', 'm3', 'm4']);
    expect(traced.deliveries).toEqual(raw.deliveries);
    expect(traced.crashes).toHaveLength(raw.crashes.length);

    const spans = counter.kept.filter((span) => span.name === `process ${traced.topic}`);
    expect(spans.map((span) => span.status.code)).toEqual([
      SpanStatusCode.UNSET,
      SpanStatusCode.UNSET,
      SpanStatusCode.ERROR,
      SpanStatusCode.UNSET,
      SpanStatusCode.UNSET,
      SpanStatusCode.UNSET,
    ]);
    expect(spans[2]!.events[0]?.attributes?.['exception.message']).toBe('handler failed on m2');
    expect(counter.open.size).toBe(0);
  });
});
