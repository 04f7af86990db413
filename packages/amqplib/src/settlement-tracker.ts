import type { Attributes, Span } from '@opentelemetry/api';
import { SpanStatusCode } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  MESSAGING_OPERATION_TYPE,
  recordSpanError,
} from '@tracehop/core';
import { CHANNEL_CLOSED, settleTimeout, type UnsettledReason } from './unsettled-reasons.js';

/**
 * How a message was settled: the name of the span event added when its span ends. `recover`
 * is `channel.recover()`, which hands every unacknowledged message back for redelivery.
 */
export type SettleOperation = 'ack' | 'nack' | 'reject' | 'recover';

/** The span event attribute that tells whether a nack or reject asked for a requeue. */
export const ATTR_SETTLE_REQUEUE = 'tracehop.requeue';

interface Pending {
  readonly span: Span;
  /** When the safety timeout ends the span (ms since the epoch); Infinity when it is off. */
  readonly deadline: number;
  /** A `noAck` delivery: ended by its handler, untouched by ack / nack / reject. */
  readonly autoAck: boolean;
  /** An error is already recorded (the handler failed): a later end keeps it. */
  failed: boolean;
}

/**
 * The consumer spans of one channel that wait for their message to be settled, by delivery
 * tag (unique per channel, and increasing, so the map's order is delivery order). Spans end
 * at ack / nack / reject (one, or all up to a tag, or all), at channel close, or when the
 * safety timeout expires. One timer per channel, not per message: it fires at the oldest
 * deadline and is re-armed for the next one; it never outlives the pending spans.
 */
export class SettlementTracker {
  readonly #pending = new Map<number, Pending>();
  readonly #timeoutMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  /** Spans waiting for settlement (for tests and diagnostics). */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Whether the safety timer is armed (for tests and diagnostics). */
  get timerArmed(): boolean {
    return this.#timer !== undefined;
  }

  /** Starts waiting for a delivery's settlement. On a closed channel the span ends at once. */
  track(tag: number, span: Span, autoAck: boolean): void {
    if (this.#closed) {
      endUnsettled(span, CHANNEL_CLOSED);
      return;
    }
    const deadline = this.#timeoutMs > 0 ? Date.now() + this.#timeoutMs : Infinity;
    this.#pending.set(tag, { span, deadline, autoAck, failed: false });
    if (this.#timer === undefined && this.#timeoutMs > 0) this.#arm(this.#timeoutMs);
  }

  /** The handler of a delivery failed: the error is recorded; the span still waits to be settled. */
  fail(tag: number, error: unknown): void {
    const pending = this.#pending.get(tag);
    if (pending === undefined || pending.failed) return;
    recordSpanError(pending.span, error);
    pending.failed = true;
  }

  /** A `noAck` delivery's handler finished (returned, or its promise settled). */
  finish(tag: number): void {
    const pending = this.#pending.get(tag);
    if (pending === undefined || !pending.autoAck) return;
    this.#delete(tag);
    pending.span.end();
  }

  /** `ack` / `nack` / `reject` of one message, or of every one up to `tag` (`allUpTo`). */
  settle(tag: number, allUpTo: boolean, operation: SettleOperation, requeue?: boolean): void {
    // AMQP 0-9-1 basic.ack/nack: multiple with delivery-tag 0 means "all outstanding".
    if (allUpTo && tag === 0) return this.settleAll(operation, requeue);
    if (!allUpTo) {
      const pending = this.#pending.get(tag);
      if (pending !== undefined && !pending.autoAck) this.#settleOne(tag, pending, operation, requeue);
      return;
    }
    for (const [pendingTag, pending] of this.#pending) {
      if (pendingTag > tag) break;
      if (!pending.autoAck) this.#settleOne(pendingTag, pending, operation, requeue);
    }
  }

  /** `ackAll` / `nackAll` / `recover`: every outstanding (not `noAck`) message. */
  settleAll(operation: SettleOperation, requeue?: boolean): void {
    for (const [tag, pending] of this.#pending) {
      if (!pending.autoAck) this.#settleOne(tag, pending, operation, requeue);
    }
  }

  /**
   * The channel closed: every pending span ends with ERROR, and nothing is kept. `error` is the
   * channel's own error when it closed because of one (recorded as an exception); otherwise
   * the span gets status ERROR and `error.type` `ChannelClosedError`, without an exception.
   */
  close(error?: unknown): void {
    this.#closed = true;
    this.#disarm();
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const entry of pending) {
      if (entry.failed) entry.span.end();
      else if (error !== undefined) endWithError(entry.span, error);
      else endUnsettled(entry.span, CHANNEL_CLOSED);
    }
  }

  #settleOne(tag: number, pending: Pending, operation: SettleOperation, requeue: boolean | undefined): void {
    this.#delete(tag);
    try {
      const attributes: Attributes = {
        [ATTR_MESSAGING_OPERATION_NAME]: operation,
        [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE.settle,
      };
      if (requeue !== undefined) attributes[ATTR_SETTLE_REQUEUE] = requeue;
      pending.span.addEvent(operation, attributes);
    } finally {
      pending.span.end();
    }
  }

  #delete(tag: number): void {
    this.#pending.delete(tag);
    if (this.#pending.size === 0) this.#disarm();
  }

  #arm(delay: number): void {
    this.#timer = setTimeout(() => this.#expire(), delay);
    // The safety net must never keep a process alive on its own.
    this.#timer.unref?.();
  }

  #disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #expire(): void {
    this.#timer = undefined;
    const now = Date.now();
    for (const [tag, pending] of this.#pending) {
      if (pending.deadline > now) {
        this.#arm(pending.deadline - now);
        return;
      }
      this.#pending.delete(tag);
      if (pending.failed) pending.span.end();
      else endUnsettled(pending.span, settleTimeout(this.#timeoutMs));
    }
  }
}

function endWithError(span: Span, error: unknown): void {
  recordSpanError(span, error);
  span.end();
}

/**
 * Ends a span whose message was never settled. Nothing was thrown, so there is no exception
 * event: the status says what happened, `error.type` names it.
 */
function endUnsettled(span: Span, reason: UnsettledReason): void {
  span.setAttribute(ATTR_ERROR_TYPE, reason.type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: reason.message });
  span.end();
}
