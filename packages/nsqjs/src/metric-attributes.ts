import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  MESSAGING_OPERATION_TYPE,
  MESSAGING_SYSTEM,
  addDeprecatedNames,
  type MessagingNames,
} from '@tracehop/core';

/**
 * NSQ's metric attributes (semconv messaging-metrics): system, operation, topic, the channel
 * as the consumer group (as on the spans) and, for writers, the nsqd they publish to. Built
 * only when metrics are recorded.
 */

/** A `send` (publish, MPUB, DPUB) to `topic`, for `messaging.client.operation.duration`. */
export function sendMetricAttributes(names: MessagingNames, topic: string, server: Readonly<Attributes>): Attributes {
  const attributes: Attributes = {
    [ATTR_MESSAGING_OPERATION_NAME]: 'send',
    [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE.send,
    [ATTR_MESSAGING_DESTINATION_NAME]: topic,
    ...server,
  };
  // `messaging.system` / `messaging.system.name` per OTEL_SEMCONV_STABILITY_OPT_IN.
  attributes[names.system] = MESSAGING_SYSTEM.nsq;
  return addDeprecatedNames(names, attributes);
}

/** A message of `topic` processed by a reader of `channel`. */
export function processMetricAttributes(names: MessagingNames, topic: string, channel: string): Attributes {
  const attributes: Attributes = {
    [ATTR_MESSAGING_OPERATION_NAME]: 'process',
    [ATTR_MESSAGING_DESTINATION_NAME]: topic,
    [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: channel,
  };
  attributes[names.system] = MESSAGING_SYSTEM.nsq;
  return addDeprecatedNames(names, attributes);
}

const NANOSECONDS_PER_MS = 1_000_000n;

/**
 * A message's timestamp, in ms since the epoch. nsqd stamps a message when it accepts the
 * PUB (its own clock, in nanoseconds: nsqjs gives a BigInt) and keeps that stamp across
 * requeues; a deferred message's stamp is its publish, so its wait includes the deferral.
 */
export function nsqTimestamp(message: object): number | undefined {
  let value: unknown;
  try {
    value = (message as { timestamp?: unknown }).timestamp;
  } catch {
    return undefined;
  }
  if (typeof value === 'bigint') return value > 0n ? Number(value / NANOSECONDS_PER_MS) : undefined;
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value / 1e6 : undefined;
}
