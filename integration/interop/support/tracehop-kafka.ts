import type { SpanContext } from '@opentelemetry/api';
import type { TracehopOptions } from '@tracehop/core';
import { instrumentConsumer, instrumentProducer } from '@tracehop/kafkajs';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { captureActive, Collector, type TracehopSide } from './tracehop-side.js';

/** tracehop's Kafka side: kafkajs 2.2.4 wrapped by @tracehop/kafkajs. */
export function tracehopKafka(brokers: string[]): TracehopSide {
  const kafka = new Kafka({ clientId: 'tracehop-interop', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const consumers: Consumer[] = [];
  const topics: string[] = [];
  const connected = Promise.all([admin.connect(), producer.connect()]);

  return {
    broker: 'kafka',
    peerFlags: ['-kafka', brokers.join(',')],
    async prepare(topic) {
      await connected;
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
      topics.push(topic);
    },
    async publish(topic, body, options) {
      await connected;
      let injected: SpanContext | undefined;
      const traced = instrumentProducer(producer, { ...options, publishHook: (span) => (injected = span.spanContext()) });
      await traced.send({ topic, messages: [{ value: body }] });
      if (injected === undefined) throw new Error('the tracehop Kafka producer made no recording span');
      return injected;
    },
    async consume(topic, options: TracehopOptions, count, onMessage) {
      const collector = new Collector(count);
      const consumer = instrumentConsumer(kafka.consumer({ groupId: `${topic}-tracehop`, maxWaitTimeInMs: 100 }), options);
      consumers.push(consumer);
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          try {
            const received = captureActive(message.value?.toString() ?? '');
            await onMessage?.(received);
            collector.add(received);
          } catch (error) {
            collector.fail(error);
          }
        },
      });
      return collector;
    },
    async close() {
      await Promise.allSettled(consumers.map((c) => c.disconnect()));
      await connected.catch(() => undefined);
      await admin.deleteTopics({ topics }).catch(() => undefined);
      await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
    },
  };
}
