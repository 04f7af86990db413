import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  MESSAGING_SYSTEM,
  addDeprecatedNames,
  type MessagingNames,
  type MessagingOperationType,
} from '@tracehop/core';
import type { Destination } from './destination.js';

/**
 * RabbitMQ's metric attributes (semconv messaging-metrics): system, operation, the span's
 * destination name and the broker — nothing per message (ids, delivery tags). The conventions
 * give `messaging.destination.name` to metrics only when it is of low cardinality, so server-
 * named (`amq.gen-…`) and direct reply-to destinations, one per consumer or request, leave it
 * out, as they leave it out of span names. Built only when metrics are recorded.
 */
export function metricAttributes(
  names: MessagingNames,
  operation: 'send' | 'receive' | 'process',
  destination: Destination,
  server: Attributes,
  withType = false,
): Attributes {
  const attributes: Attributes = { [ATTR_MESSAGING_OPERATION_NAME]: operation };
  attributes[names.system] = MESSAGING_SYSTEM.rabbitmq;
  // Only messaging.client.operation.duration lists messaging.operation.type.
  if (withType) attributes[ATTR_MESSAGING_OPERATION_TYPE] = operation satisfies MessagingOperationType;
  if (!destination.anonymous && !destination.temporary && destination.name !== '') attributes[ATTR_MESSAGING_DESTINATION_NAME] = destination.name;
  for (const key in server) attributes[key] = server[key];
  return addDeprecatedNames(names, attributes);
}

/** AMQP 0-9-1 timestamps are POSIX seconds; below this, a value is taken as seconds. */
const MILLISECONDS_FROM = 1e11;

/**
 * The `timestamp` property of a delivered message, in ms since the epoch, or undefined when the
 * producer set none (RabbitMQ sets none itself unless its message-timestamp plugin does).
 * AMQP 0-9-1 says seconds (amqplib passes the 64-bit integer through as a number); many
 * JavaScript producers write `Date.now()` instead. Both are read: a value of 10^11 or more
 * would be past the year 5000 in seconds, so it is taken as milliseconds.
 */
export function amqpTimestamp(message: { readonly properties?: unknown } | undefined): number | undefined {
  const properties = message?.properties;
  const value = typeof properties === 'object' && properties !== null ? (properties as { timestamp?: unknown }).timestamp : undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return undefined;
  return value >= MILLISECONDS_FROM ? value : value * 1000;
}
