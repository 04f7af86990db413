import { diag } from '@opentelemetry/api';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import { instrumentConsumerWith } from './instrument-consumer.js';
import { instrumentProducerWith } from './instrument-producer.js';
import { resolveKafkaOptions } from './kafka-options.js';
import { isInstrumented, overrideMethods } from './method-proxy.js';
import type { KafkaInstrumentationOptions } from './types.js';

function groupIdOf(config: unknown): string | undefined {
  const groupId = typeof config === 'object' && config !== null ? (config as { groupId?: unknown }).groupId : undefined;
  return typeof groupId === 'string' ? groupId : undefined;
}

/**
 * Returns a traced view of a `Kafka` client: every producer and consumer created through it is
 * traced as by `instrumentProducer` / `instrumentConsumer`, with these options, resolved once.
 * `admin()` and the rest are the client's own. Use the returned object; the one you pass in
 * stays untraced. Options are validated here and throw a TypeError when invalid.
 */
export function instrumentKafka(kafka: Kafka, options?: KafkaInstrumentationOptions): Kafka {
  if (isInstrumented(kafka)) {
    diag.warn('tracehop: this Kafka client is already instrumented; returning it unchanged');
    return kafka;
  }
  const settings = resolveKafkaOptions(options);
  return overrideMethods(kafka, {
    producer(...args: Parameters<Kafka['producer']>): Producer {
      // kafkajs' own errors (invalid config) reach the caller as they are.
      const producer = kafka.producer(...args);
      try {
        return instrumentProducerWith(producer, settings);
      } catch (error) {
        diag.error('tracehop: could not trace this producer; it works without trace context', error);
        return producer;
      }
    },
    consumer(...args: Parameters<Kafka['consumer']>): Consumer {
      const consumer = kafka.consumer(...args);
      try {
        return instrumentConsumerWith(consumer, settings, groupIdOf(args[0]));
      } catch (error) {
        diag.error('tracehop: could not trace this consumer; it works without trace context', error);
        return consumer;
      }
    },
  });
}
