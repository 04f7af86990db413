import type { Attributes, Context } from '@opentelemetry/api';
import { diag } from '@opentelemetry/api';
import {
  ATTR_MESSAGING_BATCH_MESSAGE_COUNT,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_DESTINATION_PARTITION_ID,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  MESSAGING_OPERATION_TYPE,
  Publication,
  addDeprecatedNames,
  injectMessageHeaders,
  isThenable,
} from '@tracehop/core';
import type { IHeaders, Message } from 'kafkajs';
import type { KafkaSettings } from './kafka-options.js';
import { addMessageAttributes, addOffsetAttribute, addSystemAttribute } from './message-attributes.js';
import { copyWithHeaders } from './message-copy.js';
import { sendMetrics } from './metric-attributes.js';
import type { KafkaPublishInfo } from './types.js';

/** One topic's messages: a `send` record, or one entry of `sendBatch`'s `topicMessages`. */
interface TopicGroup {
  readonly topic?: unknown;
  readonly messages: readonly unknown[];
}

/** What the call carries, read once before anything is started. */
interface CallShape {
  readonly total: number;
  /** The topic of every group, when they all share one. */
  readonly topic: string | undefined;
  readonly mixedTopics: boolean;
  /** The partition every message names explicitly, when they all name the same one. */
  readonly partition: string | undefined;
  /** The one message, when the call carries exactly one. */
  readonly only: Message | undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

function isGroup(value: unknown): value is TopicGroup {
  return isObject(value) && Array.isArray(value.messages);
}

/** kafkajs rejects these itself; they travel untouched so its error stays exactly the same. */
function isSendable(message: unknown): message is Message {
  return isObject(message) && message.value !== undefined;
}

function explicitPartition(message: Message): string | undefined {
  const { partition } = message;
  return typeof partition === 'number' && Number.isInteger(partition) && partition >= 0 ? String(partition) : undefined;
}

function shapeOf(groups: readonly unknown[]): CallShape {
  let total = 0;
  let topic: string | undefined;
  let groupCount = 0;
  let mixedTopics = false;
  let partition: string | undefined;
  let partitionMixed = false;
  let only: Message | undefined;
  for (const group of groups) {
    if (!isGroup(group)) continue;
    const name = typeof group.topic === 'string' ? group.topic : undefined;
    if (groupCount++ === 0) topic = name;
    else if (topic !== name) mixedTopics = true;
    for (const message of group.messages) {
      total++;
      if (!isSendable(message)) {
        partitionMixed = true;
        continue;
      }
      only = message;
      const explicit = explicitPartition(message);
      if (total === 1) partition = explicit;
      else if (partition !== explicit) partitionMixed = true;
    }
  }
  return {
    total,
    topic: mixedTopics ? undefined : topic,
    mixedTopics,
    partition: total > 0 && !partitionMixed ? partition : undefined,
    only: total === 1 ? only : undefined,
  };
}

function operationAttributes(settings: KafkaSettings, type: 'send' | 'create', topic: string | undefined): Attributes {
  const attributes: Attributes = {
    ...settings.common,
    [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE[type],
    [ATTR_MESSAGING_OPERATION_NAME]: type,
  };
  addSystemAttribute(settings.resolved.semconv, attributes);
  if (topic !== undefined) attributes[ATTR_MESSAGING_DESTINATION_NAME] = topic;
  return attributes;
}

/** `{operation} {destination}`, or the operation alone when there is no single topic (semconv "Span name"). */
function spanName(operation: string, topic: string | undefined): string {
  return topic === undefined || topic === '' ? operation : `${operation} ${topic}`;
}

function sendAttributes(settings: KafkaSettings, shape: CallShape): Attributes {
  const attributes = operationAttributes(settings, 'send', shape.topic);
  if (shape.partition !== undefined) attributes[ATTR_MESSAGING_DESTINATION_PARTITION_ID] = shape.partition;
  // semconv: messaging.batch.message_count on batch operations only; kafkajs' send is a
  // batching API, so a call is a batch unless it carries exactly one message.
  if (shape.total !== 1) attributes[ATTR_MESSAGING_BATCH_MESSAGE_COUNT] = shape.total;
  else if (shape.only !== undefined) addMessageAttributes(settings.resolved.semconv, attributes, shape.only.key, shape.only.value);
  return addDeprecatedNames(settings.resolved.semconv, attributes);
}

function createSpan(settings: KafkaSettings, shape: CallShape, message: Message, topic: string | undefined) {
  const attributes = operationAttributes(settings, 'create', topic);
  const explicit = explicitPartition(message);
  if (explicit !== undefined) attributes[ATTR_MESSAGING_DESTINATION_PARTITION_ID] = explicit;
  addMessageAttributes(settings.resolved.semconv, attributes, message.key, message.value);
  addDeprecatedNames(settings.resolved.semconv, attributes);
  // Per-message attributes that vary within the call go on the links (semconv "Recording
  // per-message attributes on batch operations").
  const linkAttributes = shape.mixedTopics && topic !== undefined ? { [ATTR_MESSAGING_DESTINATION_NAME]: topic } : undefined;
  return { name: spanName('create', topic), attributes, linkAttributes };
}

function copyMessage(settings: KafkaSettings, message: Message, context: Context): Message {
  // kafkajs rejects null and undefined header values: the copy leaves them out.
  const headers = injectMessageHeaders(settings.resolved, message.headers, context, true);
  return copyWithHeaders(message, headers as IHeaders);
}

/**
 * Copies every group, each sendable message replaced by a copy carrying its context. Every
 * copy is made before the client is called: if one fails (a header getter that throws), the
 * caller's own groups go out instead and every started span ends.
 */
function prepare(settings: KafkaSettings, publication: Publication, shape: CallShape, groups: readonly unknown[]): unknown[] {
  return groups.map((group) => {
    if (!isGroup(group)) return group;
    const topic = typeof group.topic === 'string' ? group.topic : undefined;
    const messages = group.messages.map((message) => {
      if (!isSendable(message)) return message;
      const context = publication.contextFor(() => createSpan(settings, shape, message, topic));
      const copy = copyMessage(settings, message, context);
      const info: KafkaPublishInfo = { topic: topic ?? '', message: copy };
      publication.hook(info);
      return copy;
    });
    return { ...group, messages };
  });
}

/** Adds what only the broker's answer tells: the partition and, for one message, its offset. */
function recordResult(settings: KafkaSettings, publication: Publication, shape: CallShape, result: unknown): void {
  const span = publication.span;
  if (span === undefined || !Array.isArray(result) || result.length !== 1 || shape.topic === undefined || !isObject(result[0])) return;
  try {
    const metadata = result[0];
    if (shape.partition === undefined && typeof metadata.partition === 'number') {
      span.setAttribute(ATTR_MESSAGING_DESTINATION_PARTITION_ID, String(metadata.partition));
    }
    if (shape.total === 1) {
      const attributes: Attributes = {};
      addOffsetAttribute(settings.resolved.semconv, attributes, metadata.baseOffset);
      span.setAttributes(addDeprecatedNames(settings.resolved.semconv, attributes));
    }
  } catch (error) {
    diag.debug('tracehop: could not read the Kafka send result', error);
  }
}

/**
 * Runs one `send` / `sendBatch` call traced (core's Publication: one PRODUCER `send` span, or
 * per-message `create` spans and a CLIENT `send` span; its metrics, with or without spans). Each message is copied with its
 * context before kafkajs is called with the copies; the span ends when kafkajs settles, with
 * the same result or the same error. If preparing fails, the call goes out untouched, every
 * started span ends, and the failure goes to `diag`.
 */
export function traceSend<R>(settings: KafkaSettings, groups: readonly unknown[], send: (groups: unknown[]) => R): R {
  let publication: Publication | undefined;
  let prepared: unknown[];
  let shape: CallShape;
  try {
    shape = shapeOf(groups);
    const current = shape;
    publication = new Publication(settings.resolved, {
      name: spanName('send', shape.topic),
      attributes: () => sendAttributes(settings, current),
      count: shape.total,
      metrics: () => sendMetrics(settings, groups, current.topic, current.partition),
    });
    prepared = prepare(settings, publication, shape, groups);
    publication.handOff();
  } catch (error) {
    publication?.abort();
    diag.error('tracehop: could not prepare a Kafka send; it goes out without trace context', error);
    return send([...groups]);
  }
  const traced = publication;
  let result: R;
  try {
    result = send(prepared);
  } catch (error) {
    traced.end(error);
    throw error;
  }
  if (!traced.observed) return result;
  if (!isThenable(result)) {
    recordResult(settings, traced, shape, result);
    traced.end();
    return result;
  }
  return result.then(
    (value) => {
      recordResult(settings, traced, shape, value);
      traced.end();
      return value;
    },
    (error: unknown) => {
      traced.end(error);
      throw error;
    },
  ) as R;
}
