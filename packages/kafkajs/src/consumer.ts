import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_DESTINATION_PARTITION_ID,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  MESSAGING_OPERATION_TYPE,
  addDeprecatedNames,
} from '@tracehop/core';
import type { KafkaBacklog } from './consumer-backlog.js';
import type { KafkaSettings } from './kafka-options.js';
import { addMessageAttributes, addOffsetAttribute, addSystemAttribute } from './message-attributes.js';

/** One wrapped consumer: its settings, and its group once known. */
export interface ConsumerState {
  readonly settings: KafkaSettings;
  /** From `kafka.consumer({ groupId })`, or from kafkajs' GROUP_JOIN event. */
  groupId: string | undefined;
  /** Backlog-aware sampling, when the `sampling` option turns it on. */
  readonly backlog?: KafkaBacklog;
}

/**
 * The attributes of a `process {topic}` span, before any per-message ones; complete them with
 * core's `addDeprecatedNames` (as `messageProcessAttributes` does).
 */
export function processAttributes(state: ConsumerState, topic: string, partition: number): Attributes {
  const attributes: Attributes = {
    ...state.settings.common,
    [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE.process,
    [ATTR_MESSAGING_OPERATION_NAME]: 'process',
    [ATTR_MESSAGING_DESTINATION_NAME]: topic,
    [ATTR_MESSAGING_DESTINATION_PARTITION_ID]: String(partition),
  };
  addSystemAttribute(state.settings.resolved.semconv, attributes);
  if (state.groupId !== undefined) attributes[ATTR_MESSAGING_CONSUMER_GROUP_NAME] = state.groupId;
  return attributes;
}

/** The attributes of a `process {topic}` span for one message: key, tombstone, offset. */
export function messageProcessAttributes(
  state: ConsumerState,
  topic: string,
  partition: number,
  message: { readonly key?: unknown; readonly value?: unknown; readonly offset?: unknown },
): Attributes {
  const names = state.settings.resolved.semconv;
  const attributes = processAttributes(state, topic, partition);
  addMessageAttributes(names, attributes, message.key, message.value);
  addOffsetAttribute(names, attributes, message.offset);
  return addDeprecatedNames(names, attributes);
}
