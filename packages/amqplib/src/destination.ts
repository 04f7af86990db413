/**
 * RabbitMQ destination names, per the messaging semantic conventions' RabbitMQ page
 * (https://opentelemetry.io/docs/specs/semconv/messaging/rabbitmq/, `messaging.destination.name`):
 * a destination is an exchange plus a routing key, and for consumers also a queue.
 */

/** The name the conventions give the default exchange when nothing else names a destination. */
export const DEFAULT_EXCHANGE_NAME = 'amq.default';

/** What kind of name a destination has (semconv "Temporary and anonymous destinations"). */
export interface Destination {
  /** `messaging.destination.name`. */
  readonly name: string;
  /** A server-named queue (`amq.gen-…`): an auto-generated, hence anonymous, name. */
  readonly anonymous: boolean;
  /** Direct reply-to (`amq.rabbitmq.reply-to…`): a per-channel pseudo-queue. */
  readonly temporary: boolean;
}

const SERVER_NAMED_PREFIX = 'amq.gen-';
const DIRECT_REPLY_TO_PREFIX = 'amq.rabbitmq.reply-to';

function isAnonymous(name: string): boolean {
  return name.startsWith(SERVER_NAMED_PREFIX);
}

function isTemporary(name: string): boolean {
  return name.startsWith(DIRECT_REPLY_TO_PREFIX);
}

/**
 * Producer side: `{exchange}:{routing key}` when both are present, the one present when only
 * one is, `amq.default` when neither is (the default exchange without a routing key).
 */
export function producerDestination(exchange: string, routingKey: string): Destination {
  let name: string;
  if (exchange !== '' && routingKey !== '') name = `${exchange}:${routingKey}`;
  else if (exchange !== '') name = exchange;
  else if (routingKey !== '') name = routingKey;
  else name = DEFAULT_EXCHANGE_NAME;
  return { name, anonymous: isAnonymous(routingKey), temporary: isTemporary(routingKey) };
}

/**
 * Consumer side: `{exchange}:{routing key}:{queue}`, empty parts left out, and only one of
 * routing key and queue when they are equal (a message sent to a queue through the default
 * exchange is named after that queue once).
 */
export function consumerDestination(exchange: string, routingKey: string, queue: string): Destination {
  let name = exchange;
  if (routingKey !== '') name = name === '' ? routingKey : `${name}:${routingKey}`;
  if (queue !== '' && queue !== routingKey) name = name === '' ? queue : `${name}:${queue}`;
  if (name === '') name = DEFAULT_EXCHANGE_NAME;
  return {
    name,
    anonymous: isAnonymous(queue) || isAnonymous(routingKey),
    temporary: isTemporary(queue) || isTemporary(routingKey),
  };
}

/**
 * `{operation} {destination}` (semconv "Span name"). Temporary and anonymous destinations
 * are left out of the name: their generated names would give every reply queue its own span
 * name; the conventions say to omit `{destination}` then.
 */
export function spanName(operation: string, destination: Destination): string {
  if (destination.anonymous || destination.temporary || destination.name === '') return operation;
  return `${operation} ${destination.name}`;
}

/**
 * A queue as the target of an operation (`get`). `''` (AMQP's "the queue last declared on
 * this channel") names nothing.
 */
export function queueDestination(queue: string): Destination {
  return {
    name: queue,
    anonymous: isAnonymous(queue),
    temporary: isTemporary(queue),
  };
}
