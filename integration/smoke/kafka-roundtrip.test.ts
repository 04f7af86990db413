import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, expect, inject, it } from 'vitest';

const { kafkaBrokers } = inject('brokers');
const kafka = new Kafka({ clientId: 'smoke', brokers: kafkaBrokers, logLevel: logLevel.WARN });
const admin = kafka.admin();
afterAll(() => admin.disconnect());

it('carries a message and its headers through the real Kafka broker', async () => {
  const topic = `smoke-${randomUUID()}`;
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId: `smoke-${randomUUID()}` });
  await Promise.all([producer.connect(), consumer.connect()]);
  await consumer.subscribe({ topic, fromBeginning: true });
  const received = new Promise<{ value: string; header: string }>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) =>
        resolve({ value: message.value!.toString(), header: String(message.headers?.['x-smoke']) }),
    });
  });
  await producer.send({ topic, messages: [{ value: 'hello kafka', headers: { 'x-smoke': 'yes' } }] });
  expect(await received).toEqual({ value: 'hello kafka', header: 'yes' });
  const cluster = await admin.describeCluster();
  expect(cluster.brokers.length).toBeGreaterThan(0);
  await Promise.all([producer.disconnect(), consumer.disconnect()]);
});
