import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_MESSAGING_DESTINATION_ANONYMOUS,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_DESTINATION_TEMPORARY,
  ATTR_MESSAGING_MESSAGE_CONVERSATION_ID,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  MESSAGING_SYSTEM,
  addDeprecatedNames,
  type MessagingNames,
  type MessagingOperationType,
} from '@tracehop/core';
import type { Destination } from './destination.js';

/** The message properties that become attributes (publish options, or a message's properties). */
interface MessageProperties {
  readonly messageId?: unknown;
  readonly correlationId?: unknown;
}

/** A message as amqplib delivers it, read defensively. */
export interface DeliveredMessage {
  readonly fields?: { readonly deliveryTag?: unknown; readonly exchange?: unknown; readonly routingKey?: unknown } | null;
  readonly properties?: (MessageProperties & { readonly headers?: unknown }) | null;
}

/** What span helpers are given when no span will be made (propagate-only mode). */
export const NO_ATTRIBUTES: Attributes = Object.freeze({});

/** A string field, or `''` for anything else (amqplib always gives strings; this never throws). */
export function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * The attributes every RabbitMQ span shares (messaging spans + the RabbitMQ page of the
 * semantic conventions): system, operation, destination and routing key, ids, broker address.
 * System, routing key and delivery tag under the names `names` gives (semconv v1.45.0 renamed
 * them; `OTEL_SEMCONV_STABILITY_OPT_IN`).
 */
function messagingAttributes(
  names: MessagingNames,
  operationType: MessagingOperationType,
  destination: Destination,
  routingKey: string,
  properties: MessageProperties | null | undefined,
  server: Attributes,
): Attributes {
  const attributes: Attributes = {
    [ATTR_MESSAGING_OPERATION_TYPE]: operationType,
    [ATTR_MESSAGING_OPERATION_NAME]: operationType,
  };
  // Set after the literal: a computed key inside it would cost the literal its fast path.
  attributes[names.system] = MESSAGING_SYSTEM.rabbitmq;
  if (destination.name !== '') attributes[ATTR_MESSAGING_DESTINATION_NAME] = destination.name;
  if (destination.anonymous) attributes[ATTR_MESSAGING_DESTINATION_ANONYMOUS] = true;
  if (destination.temporary) attributes[ATTR_MESSAGING_DESTINATION_TEMPORARY] = true;
  // Conditionally required "if not empty" (RabbitMQ page).
  if (routingKey !== '') attributes[names.rabbitmqRoutingKey] = routingKey;
  if (properties != null) {
    const messageId = text(properties.messageId);
    const correlationId = text(properties.correlationId);
    if (messageId !== '') attributes[ATTR_MESSAGING_MESSAGE_ID] = messageId;
    // The RabbitMQ page maps the correlation id to messaging.message.conversation_id.
    if (correlationId !== '') attributes[ATTR_MESSAGING_MESSAGE_CONVERSATION_ID] = correlationId;
  }
  for (const key in server) attributes[key] = server[key];
  return attributes;
}

/** Attributes of a `send` span, from `publish`'s arguments. */
export function producerAttributes(
  names: MessagingNames,
  destination: Destination,
  routingKey: string,
  options: unknown,
  server: Attributes,
): Attributes {
  const properties = options !== null && typeof options === 'object' ? (options as MessageProperties) : undefined;
  return addDeprecatedNames(names, messagingAttributes(names, 'send', destination, routingKey, properties, server));
}

/** Attributes of a `process` (consume) or `receive` (get) span, from the delivered message. */
export function consumerAttributes(
  names: MessagingNames,
  operationType: 'process' | 'receive',
  destination: Destination,
  message: DeliveredMessage | undefined,
  server: Attributes,
): Attributes {
  const attributes = messagingAttributes(
    names,
    operationType,
    destination,
    text(message?.fields?.routingKey),
    message?.properties,
    server,
  );
  const tag = message?.fields?.deliveryTag;
  // Conditionally required "when available" (RabbitMQ page).
  if (typeof tag === 'number') attributes[names.rabbitmqDeliveryTag] = tag;
  return addDeprecatedNames(names, attributes);
}
