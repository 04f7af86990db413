import { processMessage } from '@tracehop/core';
import type { EachMessageHandler, EachMessagePayload } from 'kafkajs';
import { messageProcessAttributes, type ConsumerState } from './consumer.js';
import { processMetricAttributes, recordTimestamp } from './metric-attributes.js';
import type { KafkaConsumeInfo } from './types.js';

/**
 * Wraps an `eachMessage` handler: a CONSUMER `process {topic}` span per message (core's
 * `processMessage`), with the message's context (and baggage, per policy) active for all the
 * handler's work, and its metrics (one delivery, its process duration and how long it waited
 * since its record timestamp). The span ends when the handler settles; its error is recorded and rethrown
 * as is, so kafkajs retries, commits and crashes exactly as without tracehop.
 */
export function traceEachMessage(state: ConsumerState, handler: EachMessageHandler): EachMessageHandler {
  const { resolved } = state.settings;
  return function tracedEachMessage(this: unknown, payload: EachMessagePayload) {
    const { topic, partition, message } = payload;
    const info: KafkaConsumeInfo = { topic, partition, message, batch: undefined };
    return processMessage(
      resolved,
      {
        name: `process ${topic}`,
        attributes: () => messageProcessAttributes(state, topic, partition, message),
        carrier: message?.headers,
        hookInfo: info,
        sampling: state.backlog?.seen(topic, partition, message.offset),
        metricAttributes: () => processMetricAttributes(state, topic, partition),
        publishedAt: () => recordTimestamp(message?.timestamp),
      },
      () => handler.call(this, payload),
    );
  };
}
