/**
 * Attribute names and values from the OpenTelemetry semantic conventions for messaging, release
 * v1.45.0 (https://opentelemetry.io/docs/specs/semconv/messaging/), the only place adapters take
 * them from. Kept as plain constants so the adapters carry no semconv package at run time.
 *
 * v1.45.0 renamed `messaging.system` and moved the Kafka- and RabbitMQ-specific attributes out
 * of `messaging.*`. Both names of each are here; which one is written is chosen per client by
 * `OTEL_SEMCONV_STABILITY_OPT_IN` (semconv-stability.ts): adapters take those keys from
 * `MessagingNames`, never from these constants directly.
 */

/** Before v1.45.0; still written by default. Replaced by `messaging.system.name`. */
export const ATTR_MESSAGING_SYSTEM = 'messaging.system';
/** v1.45.0 (`OTEL_SEMCONV_STABILITY_OPT_IN=messaging` or `messaging/dup`). */
export const ATTR_MESSAGING_SYSTEM_NAME = 'messaging.system.name';
export const ATTR_MESSAGING_OPERATION_TYPE = 'messaging.operation.type';
export const ATTR_MESSAGING_OPERATION_NAME = 'messaging.operation.name';
export const ATTR_MESSAGING_DESTINATION_NAME = 'messaging.destination.name';
export const ATTR_MESSAGING_DESTINATION_PARTITION_ID = 'messaging.destination.partition.id';
export const ATTR_MESSAGING_DESTINATION_SUBSCRIPTION_NAME = 'messaging.destination.subscription.name';
export const ATTR_MESSAGING_DESTINATION_TEMPORARY = 'messaging.destination.temporary';
export const ATTR_MESSAGING_DESTINATION_ANONYMOUS = 'messaging.destination.anonymous';
export const ATTR_MESSAGING_CONSUMER_GROUP_NAME = 'messaging.consumer.group.name';
export const ATTR_MESSAGING_CLIENT_ID = 'messaging.client.id';
export const ATTR_MESSAGING_MESSAGE_ID = 'messaging.message.id';
export const ATTR_MESSAGING_MESSAGE_CONVERSATION_ID = 'messaging.message.conversation_id';
export const ATTR_MESSAGING_MESSAGE_BODY_SIZE = 'messaging.message.body.size';
export const ATTR_MESSAGING_MESSAGE_ENVELOPE_SIZE = 'messaging.message.envelope.size';
export const ATTR_MESSAGING_BATCH_MESSAGE_COUNT = 'messaging.batch.message_count';

// Kafka (semconv messaging/kafka): the names before v1.45.0, written by default …
export const ATTR_MESSAGING_KAFKA_MESSAGE_KEY = 'messaging.kafka.message.key';
export const ATTR_MESSAGING_KAFKA_MESSAGE_TOMBSTONE = 'messaging.kafka.message.tombstone';
export const ATTR_MESSAGING_KAFKA_OFFSET = 'messaging.kafka.offset';
// … and v1.45.0's (registry "kafka").
export const ATTR_KAFKA_MESSAGE_KEY = 'kafka.message.key';
export const ATTR_KAFKA_MESSAGE_TOMBSTONE = 'kafka.message.tombstone';
export const ATTR_KAFKA_OFFSET = 'kafka.offset';

// RabbitMQ (semconv messaging/rabbitmq): before v1.45.0, written by default …
export const ATTR_MESSAGING_RABBITMQ_ROUTING_KEY = 'messaging.rabbitmq.destination.routing_key';
export const ATTR_MESSAGING_RABBITMQ_DELIVERY_TAG = 'messaging.rabbitmq.message.delivery_tag';
// … and v1.45.0's (registry "rabbitmq").
export const ATTR_RABBITMQ_DESTINATION_ROUTING_KEY = 'rabbitmq.destination.routing_key';
export const ATTR_RABBITMQ_MESSAGE_DELIVERY_TAG = 'rabbitmq.message.delivery_tag';

/**
 * Not in the conventions: NSQ's delivery attempt counter. Named before v1.45.0 moved system
 * attributes out of `messaging.*`; kept, since only the conventions' own names are renamed.
 */
export const ATTR_MESSAGING_NSQ_MESSAGE_ATTEMPTS = 'messaging.nsq.message.attempts';

export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';
export const ATTR_ERROR_TYPE = 'error.type';

/** `messaging.system` / `messaging.system.name` values (unchanged by v1.45.0 for these): the well-known ones, and `nsq`. */
export const MESSAGING_SYSTEM = {
  kafka: 'kafka',
  rabbitmq: 'rabbitmq',
  nsq: 'nsq',
} as const;
export type MessagingSystem = (typeof MESSAGING_SYSTEM)[keyof typeof MESSAGING_SYSTEM];

/** `messaging.operation.type` values (semconv messaging-spans, "Operation types"). */
export const MESSAGING_OPERATION_TYPE = {
  create: 'create',
  send: 'send',
  receive: 'receive',
  process: 'process',
  settle: 'settle',
} as const;
export type MessagingOperationType =
  (typeof MESSAGING_OPERATION_TYPE)[keyof typeof MESSAGING_OPERATION_TYPE];

/** `error.type` fallback when nothing better describes the error (semconv "error.type"). */
export const ERROR_TYPE_OTHER = '_OTHER';
