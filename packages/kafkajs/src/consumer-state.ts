import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_DESTINATION_PARTITION_ID,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  MESSAGING_OPERATION_TYPE,
  type InboundContext,
  type ResolvedOptions,
} from '@tracehop/core';
import type { KafkaSettings } from './kafka-options.js';

/** One wrapped consumer: its settings, and its group once known. */
export interface ConsumerState {
  readonly settings: KafkaSettings;
  /**
   * The same options with `inbound: 'link'`: for work nested in a batch span, which stays
   * the parent unless the message's own producer span takes that place.
   */
  readonly nested: ResolvedOptions;
  /** From `kafka.consumer({ groupId })`, or from kafkajs' GROUP_JOIN event. */
  groupId: string | undefined;
}

export const NO_INBOUND: InboundContext = Object.freeze({ spanContext: undefined, baggage: undefined });

export function createConsumerState(settings: KafkaSettings, groupId: string | undefined): ConsumerState {
  return { settings, nested: { ...settings.resolved, inbound: 'link' }, groupId };
}

/** The attributes of a `process {topic}` span, before any per-message ones. */
export function processAttributes(state: ConsumerState, topic: string, partition: number): Attributes {
  const attributes: Attributes = {
    ...state.settings.common,
    [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE.process,
    [ATTR_MESSAGING_OPERATION_NAME]: 'process',
    [ATTR_MESSAGING_DESTINATION_NAME]: topic,
    [ATTR_MESSAGING_DESTINATION_PARTITION_ID]: String(partition),
  };
  if (state.groupId !== undefined) attributes[ATTR_MESSAGING_CONSUMER_GROUP_NAME] = state.groupId;
  return attributes;
}
