import { diag } from '@opentelemetry/api';
import { ATTR_MESSAGING_OPERATION_NAME, ATTR_MESSAGING_OPERATION_TYPE, MESSAGING_OPERATION_TYPE, type SettlementEvent } from '@tracehop/core';
import type { ChannelState } from './channel-state.js';

/**
 * How a message was settled: the name of the span event added when its span ends. `recover`
 * is `channel.recover()`, which hands every unacknowledged message back for redelivery.
 */
export type SettleOperation = 'ack' | 'nack' | 'reject' | 'recover';

/** The span event attribute that tells whether a nack or reject asked for a requeue. */
export const ATTR_SETTLE_REQUEUE = 'tracehop.requeue';

/** The delivery tag of a message handed to ack / nack / reject; never throws. */
function deliveryTag(message: unknown): number | undefined {
  try {
    const tag = (message as { fields?: { deliveryTag?: unknown } } | null)?.fields?.deliveryTag;
    return typeof tag === 'number' ? tag : undefined;
  } catch {
    return undefined;
  }
}

/** amqplib's default: nack, nackAll and reject requeue unless told otherwise. */
function requeueOf(requeue: unknown): boolean {
  return requeue === undefined ? true : Boolean(requeue);
}

function settlementEvent(operation: SettleOperation, requeue?: boolean): SettlementEvent {
  const attributes: Record<string, string | boolean> = {
    [ATTR_MESSAGING_OPERATION_NAME]: operation,
    [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE.settle,
  };
  if (requeue !== undefined) attributes[ATTR_SETTLE_REQUEUE] = requeue;
  return { name: operation, attributes };
}

function record(work: () => void): void {
  try {
    work();
  } catch (error) {
    diag.error('tracehop: could not end a settled message span', error);
  }
}

/**
 * The settle methods, and `recover` (which settles by requeueing). Each calls amqplib first,
 * unchanged: if amqplib throws (a closed channel), the message was not settled and the error
 * reaches the caller as is. Then the spans the settlement covers end in the channel's tracker.
 */
export function settleMethods(state: ChannelState): Record<string, (...args: unknown[]) => unknown> {
  const { tracker } = state;
  // Without `settlementEvents` (the default) the span's end marks the settlement: no event.
  const withEvents = state.instrumentation.settlementEvents;
  const call = (name: string, args: unknown[]): unknown => state.result(state.method(name).apply(state.target, args));
  const one = (message: unknown, allUpTo: unknown, operation: SettleOperation, requeue?: boolean): void => {
    const tag = deliveryTag(message);
    if (tag === undefined) return;
    const event = withEvents ? settlementEvent(operation, requeue) : undefined;
    // AMQP 0-9-1 basic.ack/nack: multiple with delivery-tag 0 means "all outstanding".
    if (!allUpTo) record(() => tracker.settle(tag, event));
    else if (tag === 0) record(() => tracker.settleWhere(() => true, event));
    // Tags grow with every delivery, so the tracker's delivery order is tag order.
    else record(() => tracker.settleWhere((pending) => (pending > tag ? 'stop' : pending > 0), event));
  };
  const all = (operation: SettleOperation, requeue?: boolean): void =>
    record(() => tracker.settleWhere(() => true, withEvents ? settlementEvent(operation, requeue) : undefined));
  return {
    ack(...args) {
      const result = call('ack', args);
      one(args[0], args[1], 'ack');
      return result;
    },
    nack(...args) {
      const result = call('nack', args);
      one(args[0], args[1], 'nack', requeueOf(args[2]));
      return result;
    },
    reject(...args) {
      const result = call('reject', args);
      one(args[0], false, 'reject', requeueOf(args[1]));
      return result;
    },
    ackAll(...args) {
      const result = call('ackAll', args);
      all('ack');
      return result;
    },
    nackAll(...args) {
      const result = call('nackAll', args);
      all('nack', requeueOf(args[0]));
      return result;
    },
    // basic.recover (requeue) hands every unacknowledged message back to the broker, which
    // redelivers it under a new delivery tag: the old deliveries are settled there and then.
    recover(...args) {
      const result = call('recover', args);
      all('recover', true);
      return result;
    },
  };
}
