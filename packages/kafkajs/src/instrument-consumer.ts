import { diag } from '@opentelemetry/api';
import { proxyClient } from '@tracehop/core';
import type { Consumer, ConsumerRunConfig } from 'kafkajs';
import { KafkaBacklog } from './consumer-backlog.js';
import type { ConsumerState } from './consumer.js';
import { traceEachBatch } from './each-batch.js';
import { traceEachMessage } from './each-message.js';
import { resolveKafkaOptions, type KafkaSettings } from './kafka-options.js';
import type { KafkaInstrumentationOptions } from './types.js';

/** A copy of the run config with its handlers traced; the caller's object is not written to. */
function traceRunConfig(state: ConsumerState, config: ConsumerRunConfig): ConsumerRunConfig {
  const traced: ConsumerRunConfig = { ...config };
  if (typeof config.eachMessage === 'function') traced.eachMessage = traceEachMessage(state, config.eachMessage);
  if (typeof config.eachBatch === 'function') traced.eachBatch = traceEachBatch(state, config.eachBatch);
  return traced;
}

/**
 * kafkajs does not expose a consumer's group id; it does announce it in GROUP_JOIN, which
 * always comes before the first message is handed over.
 */
function learnGroupId(consumer: Consumer, state: ConsumerState): void {
  try {
    const event = consumer.events?.GROUP_JOIN;
    if (typeof consumer.on !== 'function' || typeof event !== 'string') return;
    consumer.on(event, (joined) => {
      const groupId: unknown = joined?.payload?.groupId;
      if (typeof groupId === 'string') state.groupId = groupId;
    });
  } catch (error) {
    diag.debug('tracehop: could not listen for the consumer group id', error);
  }
}

/** Wraps a consumer with already-resolved settings (shared by `instrumentKafka`). */
export function instrumentConsumerWith(consumer: Consumer, settings: KafkaSettings, groupId: string | undefined): Consumer {
  const backlog = settings.sampling === undefined ? undefined : new KafkaBacklog(consumer, settings.sampling, `kafka consumer ${groupId ?? ''}`.trim());
  const state: ConsumerState = { settings, groupId, backlog };
  const proxy = proxyClient(
    consumer,
    {
      run(...args: Parameters<Consumer['run']>): Promise<void> {
        const [config] = args;
        if (typeof config !== 'object' || config === null) return consumer.run(...args);
        let traced: ConsumerRunConfig;
        try {
          traced = traceRunConfig(state, config);
        } catch (error) {
          diag.error('tracehop: could not trace this consumer; it runs without trace context', error);
          return consumer.run(...args);
        }
        return consumer.run(traced);
      },
    },
    { kind: 'kafkajs consumer' },
  );
  // Only a consumer wrapped now (not one handed back from the registry) needs the listener.
  if (groupId === undefined && proxy !== consumer) learnGroupId(consumer, state);
  return proxy;
}

/**
 * Returns a traced view of a kafkajs consumer: the handlers given to `run` (`eachMessage`,
 * `eachBatch`) run in CONSUMER `process {topic}` spans with each message's context restored
 * — and nothing of the context `run` was called in. Everything else is the consumer's own.
 * Wrap before calling `run`, and use the returned object; the one you pass in stays untraced
 * (apart from one GROUP_JOIN listener, through which the group id is learnt). Invalid
 * options, or something that is not an object, throw a TypeError here.
 */
export function instrumentConsumer(consumer: Consumer, options?: KafkaInstrumentationOptions): Consumer {
  return instrumentConsumerWith(consumer, resolveKafkaOptions(options), undefined);
}
