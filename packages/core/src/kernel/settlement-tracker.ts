import type { Attributes, Span } from '@opentelemetry/api';
import { diag } from '@opentelemetry/api';
import { recordSpanError } from '../errors.js';
import { endUnsettled, type UnsettledReason } from './unsettled.js';

/** When a pending message times out: a fixed time (ms since the epoch), or asked when checked. */
export type Deadline = number | (() => number);

interface Pending {
  readonly span: Span;
  readonly deadline: Deadline;
  /** Ends with its handler, not at a settlement (AMQP `noAck`). */
  readonly endsWithHandler: boolean;
  /** An error is already recorded (the handler failed): a later end keeps it. */
  failed: boolean;
}

export interface SettlementTrackerOptions {
  /** What a message past its deadline is recorded as (`SettleTimeoutError`, …). */
  readonly timeout: (key: unknown) => UnsettledReason | Error;
  /** What an unsettled message is recorded as when the client closes. */
  readonly closed: UnsettledReason;
}

/** A settlement that ends a span: its name becomes a span event, with these attributes. */
export interface SettlementEvent {
  readonly name: string;
  readonly attributes?: Attributes;
}

function deadlineOf(pending: Pending): number {
  return typeof pending.deadline === 'number' ? pending.deadline : pending.deadline();
}

/**
 * The consumer spans of one channel, reader or consumer that wait for their message to be
 * settled (the conventions end a `process` span when the work really ends — for RabbitMQ and
 * NSQ, at the ack / finish, not when a callback returns). Spans end at settlement, at close
 * (ERROR: an unsettled message is redelivered elsewhere), or at their deadline (ERROR), so no
 * span outlives its client.
 *
 * One timer per tracker, not per message (setting and clearing a timer per delivery cost more
 * than the rest of this bookkeeping): armed for the earliest deadline, re-armed when it fires,
 * unref'd. When the last pending message settles the timer is left to run out rather than
 * cleared — a consumer that settles each message before the next arrives would otherwise
 * clear and set it once per message (issue 18) — and, firing with nothing pending, it is not
 * re-armed. Keys are kept in delivery order.
 */
export class SettlementTracker<K> {
  readonly #pending = new Map<K, Pending>();
  readonly #options: SettlementTrackerOptions;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;
  #closed = false;

  constructor(options: SettlementTrackerOptions) {
    this.#options = options;
  }

  /** Spans waiting for settlement (for tests and diagnostics). */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Whether the deadline timer is armed, possibly with nothing pending (for tests and diagnostics). */
  get timerArmed(): boolean {
    return this.#timer !== undefined;
  }

  /** Whether `key` still waits. */
  has(key: K): boolean {
    return this.#pending.has(key);
  }

  /** Waits for `key` to be settled; `Infinity` means no deadline. After close, ends at once. */
  track(key: K, span: Span, deadline: Deadline, endsWithHandler = false): void {
    if (this.#closed) {
      endUnsettled(span, this.#options.closed);
      return;
    }
    const pending: Pending = { span, deadline, endsWithHandler, failed: false };
    this.#pending.set(key, pending);
    this.#armFor(deadlineOf(pending));
  }

  /** The handler failed: the error is recorded; the span still waits to be settled. */
  fail(key: K, error: unknown): void {
    const pending = this.#pending.get(key);
    if (pending === undefined || pending.failed) return;
    recordSpanError(pending.span, error);
    pending.failed = true;
  }

  /** The handler finished: a span that ends with its handler ends now. */
  handlerDone(key: K): void {
    const pending = this.#pending.get(key);
    if (pending !== undefined && pending.endsWithHandler) this.#end(key, pending);
  }

  /** `key` was settled (unless its span ends with its handler). */
  settle(key: K, event?: SettlementEvent): void {
    const pending = this.#pending.get(key);
    if (pending !== undefined && !pending.endsWithHandler) this.#end(key, pending, event);
  }

  /**
   * Settles, in delivery order, every waiting key for which `covers` says `true`, and stops at
   * the first for which it says `'stop'` (an AMQP "all up to this tag").
   */
  settleWhere(covers: (key: K) => boolean | 'stop', event?: SettlementEvent): void {
    for (const [key, pending] of this.#pending) {
      const verdict = covers(key);
      if (verdict === 'stop') break;
      if (verdict && !pending.endsWithHandler) this.#end(key, pending, event);
    }
  }

  /** A deadline moved (an NSQ `touch`): checks it now and re-arms the timer if needed. */
  recheck(key: K): void {
    const pending = this.#pending.get(key);
    if (pending === undefined) return;
    const at = deadlineOf(pending);
    if (at <= Date.now()) this.#expire(key, pending);
    else this.#armFor(at);
  }

  /**
   * The client closed: every pending span ends with ERROR and nothing is kept; later tracks
   * end at once. `error` is the client's own error when it closed because of one (recorded as
   * an exception); otherwise the `closed` reason is recorded.
   */
  close(error?: unknown): void {
    this.#closed = true;
    this.#disarm();
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const entry of pending) {
      if (entry.failed) entry.span.end();
      else if (error !== undefined) {
        recordSpanError(entry.span, error);
        entry.span.end();
      } else endUnsettled(entry.span, this.#options.closed);
    }
  }

  #end(key: K, pending: Pending, event?: SettlementEvent): void {
    this.#pending.delete(key);
    try {
      if (event !== undefined) pending.span.addEvent(event.name, event.attributes);
    } finally {
      pending.span.end();
    }
  }

  #expire(key: K, pending: Pending): void {
    this.#pending.delete(key);
    if (this.#pending.size === 0) this.#disarm();
    if (pending.failed) return pending.span.end();
    const reason = this.#options.timeout(key);
    if (reason instanceof Error) {
      recordSpanError(pending.span, reason);
      pending.span.end();
    } else endUnsettled(pending.span, reason);
  }

  /** Makes sure the timer fires by `at` (ms since the epoch). */
  #armFor(at: number): void {
    if (at === Infinity || (this.#timer !== undefined && this.#timerAt <= at)) return;
    this.#disarm();
    this.#timerAt = at;
    // Node's timers take at most a signed 32-bit delay; a longer one would fire at once.
    const delay = Math.min(Math.max(0, at - Date.now()), 2 ** 31 - 1);
    this.#timer = setTimeout(() => this.#fire(), delay);
    // The safety net must never keep a process alive on its own.
    this.#timer.unref?.();
  }

  #disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  /** The timer fired: ends what is past its deadline, and arms for the next deadline. */
  #fire(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = Date.now();
    let next = Infinity;
    try {
      for (const [key, pending] of this.#pending) {
        const at = deadlineOf(pending);
        if (at <= now) this.#expire(key, pending);
        else if (at < next) next = at;
      }
    } catch (error) {
      diag.error('tracehop: could not end timed-out message spans', error);
    }
    this.#armFor(next);
  }
}
