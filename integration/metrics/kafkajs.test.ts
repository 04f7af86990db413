// Kafka's messaging metrics on the real broker, with a real MeterProvider: exact names, units,
// attributes and counts, errors and batches, plausible durations, and the time a message
// waited in the broker — a delay this test introduces on purpose.
import { randomUUID } from 'node:crypto';
import { instrumentConsumer, instrumentProducer } from '@tracehop/kafkajs';
import { Kafka, logLevel, type Admin, type Consumer, type KafkaMessage } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTracing } from '../support/tracing.js';
import {
  CONSUMED,
  DURATION_BOUNDARIES,
  OPERATION_DURATION,
  PROCESS_DURATION,
  SENT,
  WAIT_BOUNDARIES,
  WAIT_DURATION,
  createMetrics,
  hold,
} from './support.js';

const brokers = inject('brokers').kafkaBrokers;
const [address, port] = brokers[0]!.split(':') as [string, string];
const server = { 'server.address': address, 'server.port': Number(port) };
const id = randomUUID();
const topics = { main: `tracehop-metrics-main-${id}`, batch: `tracehop-metrics-batch-${id}` };
const kafka = new Kafka({ clientId: 'tracehop-metrics', brokers, logLevel: logLevel.NOTHING });
const tracing = createTracing();
let admin: Admin;
const consumers: Consumer[] = [];

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: Object.values(topics).map((topic) => ({ topic, numPartitions: 1 })) });
});
afterAll(async () => {
  await Promise.all(consumers.map((consumer) => consumer.disconnect()));
  await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
  await admin.disconnect();
});

class HandlerFailed extends Error {
  override name = 'HandlerFailed';
}

describe('kafkajs metrics', () => {
  it('send: one duration per call, messages counted per topic and partition, errors typed', async () => {
    const metrics = createMetrics();
    const producer = instrumentProducer(kafka.producer(), { tracerProvider: tracing.provider, meterProvider: metrics.provider, serverAddress: brokers[0] });
    await producer.connect();
    try {
      await producer.send({ topic: topics.main, messages: [{ value: 'a', partition: 0 }, { value: 'b', partition: 0 }] });
      await producer.send({ topic: topics.main, messages: [{ value: 'c' }] });
      // A message without a value: kafkajs refuses the call; the attempt is counted, with its error.
      const refused = await producer.send({ topic: topics.main, messages: [{ key: 'k' } as never] }).catch((error: Error) => error);
      expect(refused).toBeInstanceOf(Error);
      const errorType = (refused as Error).name;
      expect(errorType).toMatch(/^KafkaJS/);

      const base = { 'messaging.system': 'kafka', 'messaging.operation.name': 'send', 'messaging.destination.name': topics.main, ...server };
      const sent = await metrics.pointsOf(SENT);
      expect(sent.map((point) => [point.attributes, point.sum]).sort((a, b) => Number(b[1]) - Number(a[1]))).toEqual([
        [{ ...base, 'messaging.destination.partition.id': '0' }, 2],
        [base, 1],
        [{ ...base, 'error.type': errorType }, 1],
      ]);
      expect(sent.every((point) => point.unit === '{message}')).toBe(true);

      const durations = await metrics.pointsOf(OPERATION_DURATION);
      const withType = { ...base, 'messaging.operation.type': 'send' };
      expect(durations.map((point) => [point.attributes, point.count])).toEqual(
        expect.arrayContaining([
          [{ ...withType, 'messaging.destination.partition.id': '0' }, 1],
          [withType, 1],
          [{ ...withType, 'error.type': errorType }, 1],
        ]),
      );
      expect(durations).toHaveLength(3);
      for (const point of durations) {
        expect(point.unit).toBe('s');
        expect(point.boundaries).toEqual(DURATION_BOUNDARIES);
        // A round trip to a broker on loopback: more than nothing, less than a minute.
        expect(point.min).toBeGreaterThanOrEqual(0);
        expect(point.max).toBeLessThan(60);
      }
      // No attribute of a message (key, offset) or of the client (id) reaches a metric.
      expect(durations.flatMap((point) => Object.keys(point.attributes))).not.toContain('messaging.kafka.message.key');
    } finally {
      await producer.disconnect();
      await metrics.shutdown();
    }
  });

  it('eachMessage: a delivery counted once, its process duration, errors typed, and how long it waited in the broker', async () => {
    const metrics = createMetrics();
    const producer = instrumentProducer(kafka.producer(), { meterProvider: metrics.provider, metrics: false });
    await producer.connect();
    const runId = randomUUID();
    await producer.send({ topic: topics.main, messages: [{ key: runId, value: 'slow' }, { key: runId, value: 'fails-once' }] });
    await producer.disconnect();
    // The messages wait in the broker at least this long before anyone consumes them.
    const waited = 1500;
    await hold(waited);

    const groupId = `tracehop-metrics-each-${id}`;
    const consumer = instrumentConsumer(kafka.consumer({ groupId }), { tracerProvider: tracing.provider, meterProvider: metrics.provider, serverAddress: brokers[0] });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic: topics.main, fromBeginning: true });
    let failed = false;
    let calls = 0;
    let retried!: () => void;
    const done = new Promise<void>((resolve) => (retried = resolve));
    const mine = (message: KafkaMessage) => message.key?.toString() === runId;
    await consumer.run({
      eachMessage: async ({ message }) => {
        calls++;
        if (!mine(message)) return;
        if (message.value?.toString() === 'slow') await hold(200);
        if (message.value?.toString() === 'fails-once') {
          if (!failed) {
            failed = true;
            throw new HandlerFailed('once');
          }
          retried();
        }
      },
    });
    // The topic also holds the other tests' messages: every handler call is one process operation.
    await done;
    await metrics.waitForRecordings(PROCESS_DURATION, calls);
    await consumer.stop();

    const base = {
      'messaging.system': 'kafka',
      'messaging.operation.name': 'process',
      'messaging.destination.name': topics.main,
      'messaging.destination.partition.id': '0',
      'messaging.consumer.group.name': groupId,
      ...server,
    };
    const [failures] = await metrics.pointsOf(CONSUMED, { 'error.type': 'HandlerFailed' });
    expect(failures).toMatchObject({ attributes: { ...base, 'error.type': 'HandlerFailed' }, sum: 1, unit: '{message}' });
    const [ok] = (await metrics.pointsOf(CONSUMED)).filter((point) => point.attributes['error.type'] === undefined);
    expect(ok!.attributes).toEqual(base);
    expect(ok!.sum).toBe(calls - 1);

    const [processed] = (await metrics.pointsOf(PROCESS_DURATION)).filter((point) => point.attributes['error.type'] === undefined);
    expect(processed).toMatchObject({ attributes: base, unit: 's', boundaries: DURATION_BOUNDARIES });
    expect(processed!.count).toBe(ok!.sum);
    // The slow handler took 200 ms: the longest processing took at least that.
    expect(processed!.max).toBeGreaterThanOrEqual(0.2);
    const [failedProcess] = await metrics.pointsOf(PROCESS_DURATION, { 'error.type': 'HandlerFailed' });
    expect(failedProcess!.count).toBe(1);

    // From the record timestamp (kafkajs stamps CreateTime at send) to the start of processing.
    const [wait] = await metrics.pointsOf(WAIT_DURATION);
    expect(wait).toMatchObject({ attributes: base, unit: 's', boundaries: WAIT_BOUNDARIES });
    expect(wait!.count).toBe(ok!.sum + 1);
    // Every message on the topic was produced before the hold.
    expect(wait!.min).toBeGreaterThanOrEqual(waited / 1000);
    await metrics.shutdown();
  });

  it('eachBatch with spans off: each batch is one process duration, all of its messages counted', async () => {
    const metrics = createMetrics();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: topics.batch, messages: Array.from({ length: 5 }, (_, i) => ({ value: `m${i}` })) });
    await producer.disconnect();

    const groupId = `tracehop-metrics-batch-${id}`;
    const consumer = instrumentConsumer(kafka.consumer({ groupId }), { spans: false, meterProvider: metrics.provider });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic: topics.batch, fromBeginning: true });
    const batchSizes: number[] = [];
    let seen = 0;
    const all = new Promise<void>((resolve) => {
      void consumer.run({
        eachBatch: async ({ batch }) => {
          batchSizes.push(batch.messages.length);
          seen += batch.messages.length;
          if (seen >= 5) resolve();
        },
      });
    });
    await all;
    await metrics.waitForRecordings(PROCESS_DURATION, batchSizes.length);
    await consumer.stop();

    const base = {
      'messaging.system': 'kafka',
      'messaging.operation.name': 'process',
      'messaging.destination.name': topics.batch,
      'messaging.destination.partition.id': '0',
      'messaging.consumer.group.name': groupId,
    };
    expect(await metrics.pointsOf(CONSUMED)).toMatchObject([{ attributes: base, sum: 5 }]);
    expect(await metrics.pointsOf(PROCESS_DURATION)).toMatchObject([{ attributes: base, count: batchSizes.length }]);
    expect((await metrics.pointsOf(WAIT_DURATION))[0]!.count).toBe(5);
    // With spans off nothing was traced, yet everything was measured.
    expect(tracing.spans().filter((span) => span.name === `process ${topics.batch}`)).toEqual([]);
    await metrics.shutdown();
  });
});
