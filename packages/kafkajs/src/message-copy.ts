import type { IHeaders, Message } from 'kafkajs';

const hasOwn = Object.prototype.hasOwnProperty;
const isEnumerable = Object.prototype.propertyIsEnumerable;
const objectPrototype = Object.prototype;

/**
 * `{ ...message, headers }`, exactly: the message's own enumerable properties, then `headers`
 * in place of its own. A spread copy that then gains a key it did not have falls on a slow
 * path of V8 (~0.6 µs per message): that is the common case of a message sent without
 * headers, whose copy is therefore made key by key (about four times faster).
 */
export function copyWithHeaders(message: Message, headers: IHeaders): Message {
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
