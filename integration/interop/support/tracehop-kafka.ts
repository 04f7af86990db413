import type { SpanContext } from '@opentelemetry/api';
import type { TracehopOptions } from '@tracehop/core';
import { instrumentConsumer, instrumentProducer } from '@tracehop/kafkajs';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { captureActive, Collector, optionsKey, type TracehopSide } from './tracehop-side.js';

/** tracehop's Kafka side: kafkajs 2.2.4 wrapped by @tracehop/kafkajs. */
export function tracehopKafka(brokers: string[]): TracehopSide {
  const kafka = new Kafka({ clientId: 'tracehop-interop', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  // A client is wrapped once, with its first options: one traced producer per set of options,
  // each reporting its spans to whichever publish is in flight.
  const tracedBy = new Map<string, Promise<Producer>>();
  let onSpan: ((span: SpanContext) => void) | undefined;
  const tracedProducer = (options: TracehopOptions): Promise<Producer> => {
    const key = optionsKey(options);
    let traced = tracedBy.get(key);
    if (traced === undefined) {
      const raw = tracedBy.size === 0 ? producer : kafka.producer({ allowAutoTopicCreation: false });
      const wrapped = instrumentProducer(raw, { ...options, publishHook: (span) => onSpan?.(span.spanContext()) });
      traced = (raw === producer ? connected : raw.connect()).then(() => wrapped);
      tracedBy.set(key, traced);
    }
    return traced;
  };
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
      const traced = await tracedProducer(options);
      onSpan = (span) => (injected = span);
      await traced.send({ topic, messages: [{ value: body }] });
      onSpan = undefined;
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
      const producers = await Promise.allSettled([...tracedBy.values()]);
      await Promise.allSettled([producer.disconnect(), admin.disconnect(), ...producers.map((p) => (p.status === 'fulfilled' ? p.value.disconnect() : undefined))]);
    },
  };
}
