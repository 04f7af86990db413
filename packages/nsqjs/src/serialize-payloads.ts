import type { NsqPayload } from './types.js';

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * lodash's `isEmpty`, which nsqjs's Writer uses to reject a publish ("Attempting to publish
 * an empty message"): empty strings, arrays, Buffers and typed arrays, empty Maps and Sets,
 * objects without own enumerable keys — and every number, boolean or function.
 */
function isEmptyForNsqjs(value: unknown): boolean {
  if (value == null) return true;
  if (typeof value === 'string' || Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView))) {
    return (value as { length: number }).length === 0;
  }
  if (value instanceof Map || value instanceof Set) return value.size === 0;
  if (typeof value === 'object' && typeof (value as { splice?: unknown }).splice === 'function') {
    return (value as { length?: unknown }).length === 0;
  }
  if (typeof value !== 'object' && typeof value !== 'function') return true;
  for (const key in value as object) if (hasOwn.call(value, key)) return false;
  return true;
}

/**
 * One message as nsqjs's `Writer#_serializeMsg` makes it: strings and Buffers as they are,
 * anything else as `JSON.stringify` text. Undefined when nsqjs could not send it faithfully
 * (JSON.stringify throws or gives nothing; a String object, which nsqjs's MPUB mishandles)
 * or when it is empty (nsqd rejects empty bodies; an envelope would hide that).
 */
function serializeOne(message: unknown): NsqPayload | undefined {
  let payload: unknown = message;
  if (typeof message !== 'string' && !Buffer.isBuffer(message)) {
    if (message instanceof String) return undefined;
    try {
      payload = JSON.stringify(message);
    } catch {
      return undefined;
    }
  }
  if (typeof payload === 'string' || Buffer.isBuffer(payload)) return payload.length > 0 ? payload : undefined;
  return undefined;
}

/**
 * The messages of `Writer#publish(topic, msgs)`, serialised exactly as nsqjs would, or
 * undefined when the call is one tracehop hands to nsqjs untouched because nsqjs or nsqd
 * would reject it (so the error, or the quirk, stays nsqjs's own).
 */
export function serializeForPublish(msgs: unknown): NsqPayload[] | undefined {
  if (isEmptyForNsqjs(msgs)) return undefined;
  const list: unknown[] = Array.isArray(msgs) ? msgs : [msgs];
  const payloads = new Array<NsqPayload>(list.length);
  for (let i = 0; i < list.length; i++) {
    const payload = serializeOne(list[i]);
    if (payload === undefined) return undefined;
    payloads[i] = payload;
  }
  return payloads;
}

/**
 * The message of `Writer#deferPublish(topic, msg, timeMs)`, or undefined when nsqjs 0.13
 * could not send it: it needs an array of exactly one string or Buffer (it neither wraps a
 * single message nor serialises objects there) and a positive delay.
 */
export function serializeForDefer(msg: unknown, timeMs: unknown): NsqPayload | undefined {
  if (typeof timeMs !== 'number' || !(timeMs > 0) || !Array.isArray(msg) || msg.length !== 1) return undefined;
  const only: unknown = msg[0];
  return (typeof only === 'string' || Buffer.isBuffer(only)) && only.length > 0 ? only : undefined;
}
