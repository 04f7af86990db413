import { diag } from '@opentelemetry/api';
import type { ChannelState } from './channel-state.js';
import type { SettleOperation } from './settlement-tracker.js';

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
 * reaches the caller as is. Then the spans the settlement covers end (see SettlementTracker).
 */
export function settleMethods(state: ChannelState): Record<string, (...args: unknown[]) => unknown> {
  const { tracker } = state;
  const call = (name: string, args: unknown[]): unknown => state.result(state.method(name).apply(state.target, args));
  const one = (message: unknown, allUpTo: unknown, operation: SettleOperation, requeue?: boolean): void => {
    const tag = deliveryTag(message);
    if (tag !== undefined) record(() => tracker.settle(tag, Boolean(allUpTo), operation, requeue));
  };
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
      record(() => tracker.settleAll('ack'));
      return result;
    },
    nackAll(...args) {
      const result = call('nackAll', args);
      record(() => tracker.settleAll('nack', requeueOf(args[0])));
      return result;
    },
    // basic.recover (requeue) hands every unacknowledged message back to the broker, which
    // redelivers it under a new delivery tag: the old deliveries are settled there and then.
    recover(...args) {
      const result = call('recover', args);
      record(() => tracker.settleAll('recover', true));
      return result;
    },
  };
}
