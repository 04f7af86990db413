import { diag } from '@opentelemetry/api';
import {
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_DESTINATION_TEMPORARY,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_NSQ_MESSAGE_ATTEMPTS,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  MESSAGING_OPERATION_TYPE,
  MESSAGING_SYSTEM,
  addDeprecatedNames,
  messageStamp,
  notAClient,
  processMessage,
  proxyClient,
  resolveSampling,
  type MessagingNames,
  type ResolvedOptions,
  type SettlementTracker,
} from '@tracehop/core';
import type { Attributes } from '@opentelemetry/api';
import { decodeEnvelope } from './decode-envelope.js';
import { nsqTimestamp, processMetricAttributes as metricAttributes } from './metric-attributes.js';
import { ChannelBacklog, statsAddresses } from './channel-backlog.js';
import { createReaderTracker, messageSettlement } from './reader-settlement.js';
import { resolveReaderOptions } from './resolve-nsq-options.js';
import type { NsqConsumeInfo, NsqMessageLike, NsqReaderLike, NsqReaderOptions } from './types.js';

type Emit = (this: unknown, event: string | symbol, ...args: unknown[]) => boolean;

function isMessage(value: unknown): value is NsqMessageLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as NsqMessageLike).timeUntilTimeout === 'function' &&
    typeof (value as NsqMessageLike).on === 'function'
  );
}

/** Replaces what `message.body` (and so `message.json()`) gives with the original payload. */
function unwrapBody(message: NsqMessageLike, payload: Buffer): boolean {
  try {
    // An own property shadows nsqjs's prototype getter; `rawMessage` (id, attempts) stays.
    Object.defineProperty(message, 'body', { value: payload, writable: true, enumerable: false, configurable: true });
    return true;
  } catch (error) {
    diag.warn('tracehop: could not unwrap an NSQ message body; it is delivered as it arrived', error);
    return false;
  }
}

/**
 * The attributes of a message's `process` span. Built as one object literal and then
 * extended: copying a shared base object with `{ ...base, more }` fell on a slow path of V8
 * (adding a property to a spread copy took ~1.7 µs, most of what a delivery cost tracehop).
 */
function processAttributes(names: MessagingNames, topic: string, channel: string, temporary: boolean, message: NsqMessageLike): Attributes {
  const attributes: Attributes = {
    [ATTR_MESSAGING_DESTINATION_NAME]: topic,
    [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: channel,
    [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE.process,
    [ATTR_MESSAGING_OPERATION_NAME]: 'process',
  };
  // `messaging.system` or `messaging.system.name` (OTEL_SEMCONV_STABILITY_OPT_IN), the only
  // renamed attribute here; set after the literal, which a computed key would slow down.
  attributes[names.system] = MESSAGING_SYSTEM.nsq;
  if (temporary) attributes[ATTR_MESSAGING_DESTINATION_TEMPORARY] = true;
  attributes[ATTR_MESSAGING_MESSAGE_ID] = message.id;
  attributes[ATTR_MESSAGING_NSQ_MESSAGE_ATTEMPTS] = message.attempts;
  return addDeprecatedNames(names, attributes);
}

const delivered = messageStamp<true>('nsqjs-delivered');
const NO_ARGS: unknown[] = [];

function createDeliver(
  resolved: ResolvedOptions,
  topic: string,
  channel: string,
  tracker: SettlementTracker<NsqMessageLike>,
  backlog: ChannelBacklog | undefined,
) {
  const name = `process ${topic}`;
  // NSQ deletes an `#ephemeral` topic once its last channel is gone: a temporary destination.
  const temporary = topic.endsWith('#ephemeral');

  /** Runs the listeners of one 'message' / 'discard' event inside the message's span (core's `processMessage`). */
  return function deliver(receiver: unknown, emit: Emit, event: string, message: NsqMessageLike, rest: unknown[]): boolean {
    delivered.set(message, true);
    let headers: Record<string, string> | undefined;
    try {
      const decoded = decodeEnvelope(message.body);
      if (decoded !== undefined && unwrapBody(message, decoded.body)) headers = decoded.headers;
    } catch (error) {
      diag.warn('tracehop: could not read an NSQ message body; it is delivered as it arrived', error);
    }
    const info: NsqConsumeInfo = { topic, channel, message, headers };
    // A raw message (or one whose envelope is invalid) carries nothing: a new root.
    return processMessage(
      resolved,
      {
        name,
        attributes: () => processAttributes(resolved.semconv, topic, channel, temporary, message),
        carrier: headers,
        hookInfo: info,
        settlement: messageSettlement(tracker, message),
        sampling: backlog?.delivered(),
        metricAttributes: () => metricAttributes(resolved.semconv, topic, channel),
        publishedAt: () => nsqTimestamp(message),
      },
      // nsqjs emits a message alone: the listeners are called without a copy of the arguments.
      rest.length === 0 ? () => emit.call(receiver, event, message) : () => emit.call(receiver, event, message, ...rest),
    );
  };
}

/**
 * Instruments an nsqjs `Reader`: every message is unwrapped before the `'message'` (or
 * `'discard'`) listeners see it — `message.body` and `message.json()` give the original
 * payload, never the envelope — and the listeners run inside a CONSUMER `process {topic}`
 * span that continues the producer's trace (`inbound`: parent, link or ignore; baggage per
 * the baggage policy). The span ends on `finish()`, `requeue()` or the message's timeout.
 * A message without a valid envelope is delivered unchanged and processed as a new root.
 *
 * Returns a proxy of the reader: register listeners on it and call `connect()` on it (nsqjs
 * emits its messages on the object `connect()` was called on). The reader itself is not
 * modified. Invalid options throw a TypeError here.
 */
export function instrumentReader<R extends NsqReaderLike>(reader: R, options?: NsqReaderOptions): R {
  if (reader === null || typeof reader !== 'object' || typeof reader.emit !== 'function') {
    throw notAClient('nsqjs Reader');
  }
  const { topic, channel } = reader as unknown as { topic?: unknown; channel?: unknown };
  if (typeof topic !== 'string' || typeof channel !== 'string') {
    throw notAClient('nsqjs Reader (with a topic and a channel)');
  }
  const internals = reader as unknown as { connectionIds?: unknown; directIntervalId?: unknown };
  if ((Array.isArray(internals.connectionIds) && internals.connectionIds.length > 0) || (internals.directIntervalId ?? null) !== null) {
    diag.warn('tracehop: instrumentReader was called after connect(); messages of that connection are not traced');
  }
  const resolved = resolveReaderOptions(options);
  const sampling = resolveSampling(options?.sampling);
  const backlog = sampling === undefined ? undefined : new ChannelBacklog(topic, channel, statsAddresses(reader), sampling);
  if (backlog !== undefined) {
    try {
      (reader as unknown as { on(event: string, listener: () => void): unknown }).on('nsqd_connected', () => backlog.connected());
    } catch (error) {
      diag.debug('tracehop: cannot follow the reader’s connections; its backlog is first asked at the poll interval', error);
    }
  }
  const tracker = createReaderTracker();
  const deliver = createDeliver(resolved, topic, channel, tracker, backlog);

  const emit: Emit = function (this: unknown, event, ...args) {
    const original = Reflect.get(reader, 'emit', reader) as Emit;
    const message = args[0];
    if ((event === 'message' || event === 'discard') && isMessage(message) && delivered.get(message) !== true) {
      return deliver(this, original, event, message, args.length === 1 ? NO_ARGS : args.slice(1));
    }
    return original.call(this, event, ...args);
  };

  // Messages left unsettled when the reader closes can no longer be finished: their spans end
  // then, with ERROR, rather than at nsqd's timeout in a process that may be gone by then.
  const close = function (this: unknown, ...args: unknown[]): unknown {
    const original = Reflect.get(reader, 'close', reader) as (...a: unknown[]) => unknown;
    try {
      return original.apply(this, args);
    } finally {
      tracker.close();
      backlog?.close();
    }
  };
  const connect = function (this: unknown, ...args: unknown[]): unknown {
    backlog?.start();
    return (Reflect.get(reader, 'connect', reader) as (...a: unknown[]) => unknown).apply(this, args);
  };
  return proxyClient(reader, backlog === undefined ? { emit, close } : { emit, close, connect }, { kind: 'nsqjs Reader' });
}
