import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer, type KafkaMessage } from 'kafkajs';
import type { TracehopOptions } from '@tracehop/core';
import { instrumentConsumer, instrumentProducer } from '@tracehop/kafkajs';
import { textHeaders, type Received, type Transport } from './transport.js';

/** Runs a consumer until it has handled one message, then stops it. */
async function consumeFirst<T>(consumer: Consumer, topic: string, handle: (message: KafkaMessage) => Promise<T>): Promise<T> {
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let result!: Promise<T>;
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        result = handle(message);
        await result.catch(() => undefined);
        resolve();
      },
    });
  });
  await done;
  await consumer.disconnect();
  return result;
}

export async function kafkaTransport(brokers: string[], tracing: TracehopOptions): Promise<Transport> {
  const kafka = new Kafka({ clientId: 'reliability-trust', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const raw = kafka.producer();
  const traced = instrumentProducer(kafka.producer(), tracing);
  await Promise.all([admin.connect(), raw.connect(), traced.connect()]);
  return {
    name: 'kafka',
    async destination() {
      const topic = `reliability-trust-${randomUUID()}`;
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
      return topic;
    },
    async sendRaw(topic, headers, body) {
      await raw.send({ topic, messages: [{ value: body, headers }] });
    },
    async sendTraced(topic, body, headers) {
      await traced.send({ topic, messages: [{ value: body, headers: headers as Record<string, string> }] });
    },
    consumeOne<T>(topic: string, options: TracehopOptions, handler: (message: Received) => T | Promise<T>) {
      const consumer = instrumentConsumer(kafka.consumer({ groupId: `reliability-trust-${randomUUID()}` }), { ...tracing, ...options });
      return consumeFirst(consumer, topic, async (message) => handler({ body: String(message.value), headers: textHeaders(message.headers) }));
    },
    receiveRaw(topic) {
      return consumeFirst(kafka.consumer({ groupId: `reliability-trust-${randomUUID()}` }), topic, async (message) => textHeaders(message.headers));
    },
    async close() {
      await Promise.all([admin.disconnect(), raw.disconnect(), traced.disconnect()]);
    },
  };
}
