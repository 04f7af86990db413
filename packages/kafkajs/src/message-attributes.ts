import type { Attributes } from '@opentelemetry/api';
import { ATTR_MESSAGING_KAFKA_MESSAGE_KEY, ATTR_MESSAGING_KAFKA_MESSAGE_TOMBSTONE, ATTR_MESSAGING_KAFKA_OFFSET } from '@tracehop/core';

// fatal: a key that is not valid UTF-8 has no canonical string form and is left out;
// ignoreBOM: a leading BOM is part of the key, not something to strip.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * `messaging.kafka.message.key` (semconv Kafka): a string key as is, a binary key when it is
 * valid UTF-8; a null key, or bytes with no canonical string form, give no attribute.
 */
export function keyAttribute(key: unknown): string | undefined {
  if (typeof key === 'string') return key;
  if (key instanceof Uint8Array) {
    try {
      return utf8.decode(key);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** `messaging.kafka.offset` is an int; kafkajs gives offsets as decimal strings. */
export function offsetAttribute(offset: unknown): number | undefined {
  const value = typeof offset === 'string' && offset !== '' ? Number(offset) : offset;
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/** Adds the attributes that describe one message: key, tombstone (a null value). */
export function addMessageAttributes(attributes: Attributes, key: unknown, value: unknown): void {
  const text = keyAttribute(key);
  if (text !== undefined) attributes[ATTR_MESSAGING_KAFKA_MESSAGE_KEY] = text;
  // semconv: set only when true; a tombstone is a record whose value is null.
  if (value === null) attributes[ATTR_MESSAGING_KAFKA_MESSAGE_TOMBSTONE] = true;
}

/** Adds `messaging.kafka.offset` when the offset is a usable integer. */
export function addOffsetAttribute(attributes: Attributes, offset: unknown): void {
  const value = offsetAttribute(offset);
  if (value !== undefined) attributes[ATTR_MESSAGING_KAFKA_OFFSET] = value;
}
