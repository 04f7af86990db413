import { diag } from '@opentelemetry/api';
import { proxyClient } from '@tracehop/core';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import { instrumentConsumerWith } from './instrument-consumer.js';
import { instrumentProducerWith } from './instrument-producer.js';
import { resolveKafkaOptions } from './kafka-options.js';
import type { KafkaInstrumentationOptions } from './types.js';

function groupIdOf(config: unknown): string | undefined {
  const groupId = typeof config === 'object' && config !== null ? (config as { groupId?: unknown }).groupId : undefined;
  return typeof groupId === 'string' ? groupId : undefined;
}

/**
 * Returns a traced view of a `Kafka` client: every producer and consumer created through it is
 * traced as by `instrumentProducer` / `instrumentConsumer`, with these options. `admin()` and
 * the rest are the client's own. Use the returned object; the one you pass in stays untraced.
 * Invalid options, or something that is not an object, throw a TypeError here.
 */
export function instrumentKafka(kafka: Kafka, options?: KafkaInstrumentationOptions): Kafka {
  const settings = resolveKafkaOptions(options);
  return proxyClient(
    kafka,
    {
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
    },
    { kind: 'kafkajs client' },
  );
}
