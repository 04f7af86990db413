import type { Attributes, Context, Link, Span } from '@opentelemetry/api';
import { SpanKind, context as contextApi, diag } from '@opentelemetry/api';
import {
  ATTR_MESSAGING_BATCH_MESSAGE_COUNT,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_DESTINATION_PARTITION_ID,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  MESSAGING_OPERATION_TYPE,
  injectHeaders,
  recordSpanError,
  runHookSafely,
  startProducerSpan,
} from '@tracehop/core';
import type { IHeaders, Message } from 'kafkajs';
import type { KafkaSettings } from './kafka-options.js';
import { addMessageAttributes, addOffsetAttribute } from './message-attributes.js';

/** One topic's messages: a `send` record, or one entry of `sendBatch`'s `topicMessages`. */
interface TopicGroup {
  readonly topic?: unknown;
  readonly messages: readonly unknown[];
}

/** A send in flight: the copies to hand to kafkajs, and the span that ends with it. */
interface PreparedSend {
  /** Per group: a copy carrying the context, or the caller's own entry when it is invalid. */
  readonly groups: unknown[];
  readonly span: Span | undefined;
  /** Topic of every group, when they all share one. */
  readonly topic: string | undefined;
  readonly total: number;
  readonly partitionKnown: boolean;
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

function operationAttributes(settings: KafkaSettings, type: 'send' | 'create', topic: string | undefined): Attributes {
  const attributes: Attributes = {
    ...settings.common,
    [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE[type],
    [ATTR_MESSAGING_OPERATION_NAME]: type,
  };
  if (topic !== undefined) attributes[ATTR_MESSAGING_DESTINATION_NAME] = topic;
  return attributes;
}

/** `{operation} {destination}`, or the operation alone when there is no single topic (semconv "Span name"). */
function spanName(operation: string, topic: string | undefined): string {
  return topic === undefined || topic === '' ? operation : `${operation} ${topic}`;
}

const hasOwn = Object.prototype.hasOwnProperty;
const isEnumerable = Object.prototype.propertyIsEnumerable;
const objectPrototype = Object.prototype;

/**
 * `{ ...message, headers }`, exactly: the message's own enumerable properties, then `headers`
 * in place of its own. A spread copy that then gains a key it did not have falls on a slow
 * path of V8 (~0.6 µs per message): that is the common case of a message sent without
 * headers, whose copy is therefore made key by key (about four times faster).
 */
function withHeaders(message: Message, headers: IHeaders): Message {
  if (hasOwn.call(message, 'headers')) return { ...message, headers };
  const source = message as unknown as Record<PropertyKey, unknown>;
  const copy: Record<PropertyKey, unknown> = {};
  for (const key of Object.keys(source)) {
    // Defined, as a spread does, where an assignment could reach Object.prototype (`__proto__`).
    if (key in objectPrototype) Object.defineProperty(copy, key, { value: source[key], enumerable: true, writable: true, configurable: true });
    else copy[key] = source[key];
  }
  for (const symbol of Object.getOwnPropertySymbols(source)) if (isEnumerable.call(source, symbol)) copy[symbol] = source[symbol];
  copy.headers = headers;
  return copy as unknown as Message;
}

function copyMessage(settings: KafkaSettings, message: Message, context: Context): Message {
  const { resolved } = settings;
  const headers = injectHeaders(message.headers, context, resolved.injector, {
    owned: resolved.ownedHeaders,
    dropNullish: true,
  });
  return withHeaders(message, headers as IHeaders);
}

/** Copies every group with every sendable message replaced by what `copy` makes of it. */
function copyGroups(groups: readonly unknown[], copy: (message: Message, topic: string | undefined) => Message): unknown[] {
  return groups.map((group) => {
    if (!isGroup(group)) return group;
    const topic = typeof group.topic === 'string' ? group.topic : undefined;
    const messages = group.messages.map((message) => (isSendable(message) ? copy(message, topic) : message));
    return { ...group, messages };
  });
}

function prepare(settings: KafkaSettings, groups: readonly unknown[]): PreparedSend {
  const { resolved } = settings;
  const active = contextApi.active();
  let total = 0;
  let topic: string | undefined;
  let topics = 0;
  let mixed = false;
  let partition: string | undefined;
  let partitionMixed = false;
  let only: Message | undefined;
  for (const group of groups) {
    if (!isGroup(group)) continue;
    const name = typeof group.topic === 'string' ? group.topic : undefined;
    if (topics++ === 0) topic = name;
    else if (topic !== name) mixed = true;
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
  const single = mixed ? undefined : topic;
  const tracer = resolved.tracer;

  if (tracer === undefined) {
    // Propagate-only: every message carries the active context itself.
    const copies = copyGroups(groups, (message) => copyMessage(settings, message, active));
    return { groups: copies, span: undefined, topic: single, total, partitionKnown: false };
  }

  const attributes = operationAttributes(settings, 'send', single);
  const partitionKnown = total > 0 && !partitionMixed && partition !== undefined;
  if (partitionKnown) attributes[ATTR_MESSAGING_DESTINATION_PARTITION_ID] = partition!;
  // semconv: messaging.batch.message_count on batch operations only; kafkajs' send is a
  // batching API, so a call is a batch unless it carries exactly one message.
  if (total !== 1) attributes[ATTR_MESSAGING_BATCH_MESSAGE_COUNT] = total;
  else if (only !== undefined) addMessageAttributes(attributes, only.key, only.value);

  if (!settings.createSpans || total === 1) {
    // The send span is the creation context of every message: PRODUCER (semconv "Span kind").
    const { span, context } = startProducerSpan(resolved, { name: spanName('send', single), attributes, parent: active });
    const copies = copyGroups(groups, (message, messageTopic) => {
      const copy = copyMessage(settings, message, context);
      if (span !== undefined && settings.producerHook !== undefined && span.isRecording()) {
        runHookSafely('producerHook', settings.producerHook, span, { topic: messageTopic ?? '', message: copy });
      }
      return copy;
    });
    return { groups: copies, span, topic: single, total, partitionKnown };
  }

  // One "create" span per message gives each its own creation context; the "send" span then
  // links to them all and, not being a creation context itself, is a CLIENT span
  // (semconv messaging-spans, "Producer spans", "Span kind").
  const links: Link[] = [];
  const copies = copyGroups(groups, (message, messageTopic) => {
    const createAttributes = operationAttributes(settings, 'create', messageTopic);
    const explicit = explicitPartition(message);
    if (explicit !== undefined) createAttributes[ATTR_MESSAGING_DESTINATION_PARTITION_ID] = explicit;
    addMessageAttributes(createAttributes, message.key, message.value);
    const created = startProducerSpan(resolved, {
      name: spanName('create', messageTopic),
      attributes: createAttributes,
      parent: active,
    });
    const copy = copyMessage(settings, message, created.context);
    const span = created.span!;
    if (settings.producerHook !== undefined && span.isRecording()) {
      runHookSafely('producerHook', settings.producerHook, span, { topic: messageTopic ?? '', message: copy });
    }
    span.end();
    // Per-message attributes that vary within the call go on the links (semconv "Recording
    // per-message attributes on batch operations").
    const link: Link = { context: span.spanContext() };
    if (mixed && messageTopic !== undefined) link.attributes = { [ATTR_MESSAGING_DESTINATION_NAME]: messageTopic };
    links.push(link);
    return copy;
  });
  const span = tracer.startSpan(spanName('send', single), { kind: SpanKind.CLIENT, attributes, links }, active);
  return { groups: copies, span, topic: single, total, partitionKnown };
}

/** Adds what only the broker's answer tells: the partition and, for one message, its offset. */
function succeed(prepared: PreparedSend, result: unknown): void {
  const { span } = prepared;
  if (span === undefined) return;
  try {
    if (Array.isArray(result) && result.length === 1 && prepared.topic !== undefined && isObject(result[0])) {
      const metadata = result[0];
      if (!prepared.partitionKnown && typeof metadata.partition === 'number') {
        span.setAttribute(ATTR_MESSAGING_DESTINATION_PARTITION_ID, String(metadata.partition));
      }
      if (prepared.total === 1) {
        const attributes: Attributes = {};
        addOffsetAttribute(attributes, metadata.baseOffset);
        span.setAttributes(attributes);
      }
    }
  } catch (error) {
    diag.debug('tracehop: could not read the Kafka send result', error);
  } finally {
    span.end();
  }
}

function fail(prepared: PreparedSend, error: unknown): void {
  if (prepared.span === undefined) return;
  recordSpanError(prepared.span, error);
  prepared.span.end();
}

/**
 * Runs one `send` / `sendBatch` call traced: spans are started and each message is copied
 * with its context before `send` is called with the copies; the span ends when kafkajs
 * settles, with the same result or the same error. If preparing fails (a bug, or a hostile
 * input), the call goes out untouched and the failure goes to `diag`.
 */
export function traceSend<R>(settings: KafkaSettings, groups: readonly unknown[], send: (groups: unknown[]) => R): R {
  let prepared: PreparedSend;
  try {
    prepared = prepare(settings, groups);
  } catch (error) {
    diag.error('tracehop: could not prepare a Kafka send; it goes out without trace context', error);
    return send([...groups]);
  }
  let result: R;
  try {
    result = send(prepared.groups);
  } catch (error) {
    fail(prepared, error);
    throw error;
  }
  if (prepared.span === undefined) return result;
  if (!isObject(result) || typeof (result as { then?: unknown }).then !== 'function') {
    succeed(prepared, result);
    return result;
  }
  return (result as unknown as Promise<unknown>).then(
    (value) => {
      succeed(prepared, value);
      return value;
    },
    (error: unknown) => {
      fail(prepared, error);
      throw error;
    },
  ) as R;
}
