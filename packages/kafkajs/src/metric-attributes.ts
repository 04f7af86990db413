import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_DESTINATION_PARTITION_ID,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  MESSAGING_OPERATION_TYPE,
  MESSAGING_SYSTEM,
  addDeprecatedNames,
  type PublishMetricsInit,
  type SentMessages,
} from '@tracehop/core';
import type { ConsumerState } from './consumer.js';
import type { KafkaSettings } from './kafka-options.js';

/**
 * Kafka's metric attributes (semconv messaging-metrics): the span's low-cardinality ones only —
 * system, operation, topic, partition, group, broker — never a key, offset or client id.
 * Built only when metrics are recorded.
 */

function base(settings: KafkaSettings, operation: string): Attributes {
  const names = settings.resolved.semconv;
  const attributes: Attributes = { [ATTR_MESSAGING_OPERATION_NAME]: operation };
  attributes[names.system] = MESSAGING_SYSTEM.kafka;
  const { common } = settings;
  if (common[ATTR_SERVER_ADDRESS] !== undefined) attributes[ATTR_SERVER_ADDRESS] = common[ATTR_SERVER_ADDRESS];
  if (common[ATTR_SERVER_PORT] !== undefined) attributes[ATTR_SERVER_PORT] = common[ATTR_SERVER_PORT];
  // Only messaging.system is renamed among the metric attributes: its old name, in dup mode.
  return addDeprecatedNames(names, attributes);
}

/** One topic's messages, as `send` / `sendBatch` take them. */
interface Group {
  readonly topic?: unknown;
  readonly messages: readonly unknown[];
}

function partitionOf(message: unknown): string | undefined {
  const partition = typeof message === 'object' && message !== null ? (message as { partition?: unknown }).partition : undefined;
  return typeof partition === 'number' && Number.isInteger(partition) && partition >= 0 ? String(partition) : undefined;
}

/**
 * The metrics of one `send` / `sendBatch`: its duration with the call's topic and partition
 * when it has one of each, and its messages counted per topic and explicit partition (a
 * partition kafkajs' partitioner picks is not known per message).
 */
export function sendMetrics(
  settings: KafkaSettings,
  groups: readonly unknown[],
  topic: string | undefined,
  partition: string | undefined,
): PublishMetricsInit {
  const operation = base(settings, 'send');
  operation[ATTR_MESSAGING_OPERATION_TYPE] = MESSAGING_OPERATION_TYPE.send;
  if (topic !== undefined) operation[ATTR_MESSAGING_DESTINATION_NAME] = topic;
  if (partition !== undefined) operation[ATTR_MESSAGING_DESTINATION_PARTITION_ID] = partition;
  const counts = new Map<string, { count: number; attributes: Attributes }>();
  for (const group of groups) {
    if (typeof group !== 'object' || group === null || !Array.isArray((group as Group).messages)) continue;
    const name = typeof (group as Group).topic === 'string' ? ((group as Group).topic as string) : undefined;
    for (const message of (group as Group).messages) {
      const explicit = partitionOf(message);
      const key = `${name ?? ''}\u0000${explicit ?? ''}`;
      let entry = counts.get(key);
      if (entry === undefined) {
        const attributes = base(settings, 'send');
        if (name !== undefined) attributes[ATTR_MESSAGING_DESTINATION_NAME] = name;
        if (explicit !== undefined) attributes[ATTR_MESSAGING_DESTINATION_PARTITION_ID] = explicit;
        counts.set(key, (entry = { count: 0, attributes }));
      }
      entry.count++;
    }
  }
  const sent: SentMessages[] = [...counts.values()];
  return { operation, sent };
}

/** The attributes of a `process` operation (one message, or a batch) of a topic-partition. */
export function processMetricAttributes(state: ConsumerState, topic: string, partition: number): Attributes {
  const attributes = base(state.settings, 'process');
  attributes[ATTR_MESSAGING_DESTINATION_NAME] = topic;
  attributes[ATTR_MESSAGING_DESTINATION_PARTITION_ID] = String(partition);
  if (state.groupId !== undefined) attributes[ATTR_MESSAGING_CONSUMER_GROUP_NAME] = state.groupId;
  return attributes;
}

/**
 * A record's timestamp, in ms since the epoch: kafkajs gives it as a decimal string. It is
 * the producer's `CreateTime` (kafkajs sets it at send), or the broker's `LogAppendTime` when
 * the topic says so (`message.timestamp.type`); -1 (no timestamp) gives undefined.
 */
export function recordTimestamp(timestamp: unknown): number | undefined {
  const value = typeof timestamp === 'string' && timestamp !== '' ? Number(timestamp) : timestamp;
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}
