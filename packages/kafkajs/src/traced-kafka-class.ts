import { diag } from '@opentelemetry/api';
import type { Kafka, KafkaConfig } from 'kafkajs';
import { instrumentKafka } from './instrument-kafka.js';
import type { KafkaInstrumentationOptions } from './types.js';

/** The `Kafka` class, as kafkajs exports it. */
export type KafkaClass = new (config: KafkaConfig) => Kafka;

/**
 * The attributes kafkajs does not expose on its producers and consumers, learnt from the
 * config given to `new Kafka()`: its `clientId`, and the first bootstrap broker when the list
 * is given as strings (a function of brokers is left alone). The instrumentation's own
 * options win.
 */
function withClientDefaults(options: KafkaInstrumentationOptions, config: unknown): KafkaInstrumentationOptions {
  if (typeof config !== 'object' || config === null) return options;
  const { clientId, brokers } = config as { clientId?: unknown; brokers?: unknown };
  const first: unknown = Array.isArray(brokers) ? brokers[0] : undefined;
  return {
    ...(typeof clientId === 'string' && clientId !== '' ? { clientId } : {}),
    ...(typeof first === 'string' && first !== '' ? { serverAddress: first } : {}),
    ...options,
  };
}

/**
 * A stand-in for kafkajs' `Kafka` class: `new Kafka(config)` builds kafkajs' own client and
 * hands back `instrumentKafka(client, options)` — the wrappers' own door, so every producer
 * and consumer it creates is the Proxy `instrumentProducer` / `instrumentConsumer` return.
 *
 * Why the class and not `Kafka.prototype.producer`: the official instrumentation patches the
 * prototype and then patches each producer in place. Wrapping the instance from outside keeps
 * tracehop's proxy outermost whatever order the two were registered in, so its patches land
 * on the raw client, under tracehop's (see docs/migrating.md, "Running both").
 *
 * A Proxy of the class keeps everything else as it was: `Kafka.prototype`, statics,
 * `instanceof Kafka`, and subclasses (`class MyKafka extends Kafka`, whose `this` is then the
 * traced client). `options()` answers undefined while the instrumentation is disabled: the
 * client is then kafkajs' own. If tracing the client fails, it is handed back untraced.
 */
export function tracedKafkaClass(Kafka: KafkaClass, options: () => KafkaInstrumentationOptions | undefined): KafkaClass {
  return new Proxy(Kafka, {
    construct(target, args, newTarget): object {
      // kafkajs' own errors (an invalid config) reach the caller as they are.
      const kafka = Reflect.construct(target, args, newTarget) as Kafka;
      const current = options();
      if (current === undefined) return kafka;
      try {
        return instrumentKafka(kafka, withClientDefaults(current, args[0]));
      } catch (error) {
        diag.error('tracehop: could not trace this Kafka client; it works without trace context', error);
        return kafka;
      }
    },
  });
}
