import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_KAFKA_MESSAGE_KEY,
  ATTR_KAFKA_MESSAGE_TOMBSTONE,
  ATTR_KAFKA_OFFSET,
  ATTR_MESSAGING_KAFKA_MESSAGE_KEY,
  ATTR_MESSAGING_KAFKA_MESSAGE_TOMBSTONE,
  ATTR_MESSAGING_KAFKA_OFFSET,
  ATTR_MESSAGING_RABBITMQ_DELIVERY_TAG,
  ATTR_MESSAGING_RABBITMQ_ROUTING_KEY,
  ATTR_MESSAGING_SYSTEM,
  ATTR_MESSAGING_SYSTEM_NAME,
  ATTR_RABBITMQ_DESTINATION_ROUTING_KEY,
  ATTR_RABBITMQ_MESSAGE_DELIVERY_TAG,
} from './semconv.js';

/**
 * `OTEL_SEMCONV_STABILITY_OPT_IN` for the messaging attributes that semantic conventions v1.45.0
 * renamed (docs/semantics.md, "Semantic conventions version"). The conventions' migration rule
 * (https://opentelemetry.io/docs/specs/semconv/messaging/, "[!IMPORTANT]"): an instrumentation
 * keeps emitting what it emitted before unless the comma-separated list holds `messaging` (the
 * new names only) or `messaging/dup` (both; it wins over `messaging`). Parsed the way
 * `@opentelemetry/instrumentation`'s `semconvStabilityFromStr` parses it: entries trimmed,
 * empty ones skipped, compared case-insensitively.
 */
export const ENV_SEMCONV_STABILITY_OPT_IN = 'OTEL_SEMCONV_STABILITY_OPT_IN';

/** `old`: the names tracehop emitted before v1.45.0 (the default); `latest`: v1.45.0's; `dup`: both. */
export type MessagingSemconvMode = 'old' | 'latest' | 'dup';

/** The mode a value of `OTEL_SEMCONV_STABILITY_OPT_IN` selects for messaging. */
export function messagingSemconvMode(value: string | undefined): MessagingSemconvMode {
  let mode: MessagingSemconvMode = 'old';
  if (typeof value !== 'string') return mode;
  for (const part of value.split(',')) {
    const entry = part.trim().toLowerCase();
    // `messaging/dup` has higher precedence than `messaging` (semconv messaging README).
    if (entry === 'messaging/dup') return 'dup';
    if (entry === 'messaging') mode = 'latest';
  }
  return mode;
}

/**
 * The key each renamed attribute is written under. Adapters build attributes with these keys,
 * then call `addDeprecatedNames`, which in `dup` mode adds each value under its old key too.
 */
export interface MessagingNames {
  readonly mode: MessagingSemconvMode;
  /** `messaging.system` → `messaging.system.name`. */
  readonly system: string;
  /** `messaging.kafka.message.key` → `kafka.message.key`. */
  readonly kafkaMessageKey: string;
  /** `messaging.kafka.message.tombstone` → `kafka.message.tombstone`. */
  readonly kafkaMessageTombstone: string;
  /** `messaging.kafka.offset` → `kafka.offset`. */
  readonly kafkaOffset: string;
  /** `messaging.rabbitmq.destination.routing_key` → `rabbitmq.destination.routing_key`. */
  readonly rabbitmqRoutingKey: string;
  /** `messaging.rabbitmq.message.delivery_tag` → `rabbitmq.message.delivery_tag`. */
  readonly rabbitmqDeliveryTag: string;
}

/** Every attribute v1.45.0 renamed that tracehop emits: [new name, old name]. */
export const RENAMED_MESSAGING_ATTRIBUTES: readonly (readonly [latest: string, old: string])[] = Object.freeze([
  [ATTR_MESSAGING_SYSTEM_NAME, ATTR_MESSAGING_SYSTEM],
  [ATTR_KAFKA_MESSAGE_KEY, ATTR_MESSAGING_KAFKA_MESSAGE_KEY],
  [ATTR_KAFKA_MESSAGE_TOMBSTONE, ATTR_MESSAGING_KAFKA_MESSAGE_TOMBSTONE],
  [ATTR_KAFKA_OFFSET, ATTR_MESSAGING_KAFKA_OFFSET],
  [ATTR_RABBITMQ_DESTINATION_ROUTING_KEY, ATTR_MESSAGING_RABBITMQ_ROUTING_KEY],
  [ATTR_RABBITMQ_MESSAGE_DELIVERY_TAG, ATTR_MESSAGING_RABBITMQ_DELIVERY_TAG],
] as const);

const OLD_NAMES: MessagingNames = Object.freeze({
  mode: 'old',
  system: ATTR_MESSAGING_SYSTEM,
  kafkaMessageKey: ATTR_MESSAGING_KAFKA_MESSAGE_KEY,
  kafkaMessageTombstone: ATTR_MESSAGING_KAFKA_MESSAGE_TOMBSTONE,
  kafkaOffset: ATTR_MESSAGING_KAFKA_OFFSET,
  rabbitmqRoutingKey: ATTR_MESSAGING_RABBITMQ_ROUTING_KEY,
  rabbitmqDeliveryTag: ATTR_MESSAGING_RABBITMQ_DELIVERY_TAG,
});

const LATEST_KEYS = {
  system: ATTR_MESSAGING_SYSTEM_NAME,
  kafkaMessageKey: ATTR_KAFKA_MESSAGE_KEY,
  kafkaMessageTombstone: ATTR_KAFKA_MESSAGE_TOMBSTONE,
  kafkaOffset: ATTR_KAFKA_OFFSET,
  rabbitmqRoutingKey: ATTR_RABBITMQ_DESTINATION_ROUTING_KEY,
  rabbitmqDeliveryTag: ATTR_RABBITMQ_MESSAGE_DELIVERY_TAG,
} as const;

const LATEST_NAMES: MessagingNames = Object.freeze({ mode: 'latest', ...LATEST_KEYS });
// `dup` writes the new names (the conventions: "SHOULD emit the new, stable values for span
// name, span kind and similar 'single' valued concepts"); addDeprecatedNames adds the old ones.
const DUP_NAMES: MessagingNames = Object.freeze({ mode: 'dup', ...LATEST_KEYS });

/** The names of a mode (shared frozen objects). */
export function messagingNames(mode: MessagingSemconvMode): MessagingNames {
  return mode === 'dup' ? DUP_NAMES : mode === 'latest' ? LATEST_NAMES : OLD_NAMES;
}

/**
 * In `dup` mode, copies the value of every renamed attribute present in `attributes` to its old
 * name; otherwise does nothing (one comparison). Call it once an attribute set is complete;
 * calling it again is harmless. Returns `attributes`.
 */
export function addDeprecatedNames(names: MessagingNames, attributes: Attributes): Attributes {
  if (names.mode !== 'dup') return attributes;
  for (const [latest, old] of RENAMED_MESSAGING_ATTRIBUTES) {
    const value = attributes[latest];
    if (value !== undefined) attributes[old] = value;
  }
  return attributes;
}

function readOptIn(): string | undefined {
  try {
    return typeof process === 'undefined' ? undefined : process.env[ENV_SEMCONV_STABILITY_OPT_IN];
  } catch {
    return undefined;
  }
}

/**
 * The names one client uses. The variable is read when the client first builds attributes —
 * never when it is wrapped — and kept for the client's life: a per-message read of
 * `process.env` costs about 0.2 µs, a kept choice one field load. A client made after the
 * variable changed follows the new value; one already in use keeps its names, so its spans and
 * metrics never change vocabulary halfway (the OpenTelemetry instrumentations read it once too,
 * when constructed).
 */
export class SemconvStability {
  #names: MessagingNames | undefined;

  /** The names to use now (the variable is read on the first call). */
  current(): MessagingNames {
    return (this.#names ??= messagingNames(messagingSemconvMode(readOptIn())));
  }
}
