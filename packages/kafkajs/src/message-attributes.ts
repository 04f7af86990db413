import type { Attributes } from '@opentelemetry/api';
import { MESSAGING_SYSTEM, type MessagingNames } from '@tracehop/core';

// fatal: a key that is not valid UTF-8 has no canonical string form and is left out;
// ignoreBOM: a leading BOM is part of the key, not something to strip.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * `kafka.message.key` (`messaging.kafka.message.key` before semconv v1.45.0): a string key as is, a binary key when it is
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

/** `kafka.offset` (`messaging.kafka.offset` before v1.45.0) is an int; kafkajs gives offsets as decimal strings. */
export function offsetAttribute(offset: unknown): number | undefined {
  const value = typeof offset === 'string' && offset !== '' ? Number(offset) : offset;
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/** Sets `messaging.system` (or `messaging.system.name`, per `names`) to `kafka`. */
export function addSystemAttribute(names: MessagingNames, attributes: Attributes): void {
  attributes[names.system] = MESSAGING_SYSTEM.kafka;
}

/**
 * Adds the attributes that describe one message: key, tombstone (a null value), under the
 * names `names` gives. The caller completes the set with core's `addDeprecatedNames`.
 */
export function addMessageAttributes(names: MessagingNames, attributes: Attributes, key: unknown, value: unknown): void {
  const text = keyAttribute(key);
  if (text !== undefined) attributes[names.kafkaMessageKey] = text;
  // semconv: set only when true; a tombstone is a record whose value is null.
  if (value === null) attributes[names.kafkaMessageTombstone] = true;
}

/** Adds the offset (`kafka.offset` or `messaging.kafka.offset`, per `names`) when it is a usable integer. */
export function addOffsetAttribute(names: MessagingNames, attributes: Attributes, offset: unknown): void {
  const value = offsetAttribute(offset);
  if (value !== undefined) attributes[names.kafkaOffset] = value;
}
