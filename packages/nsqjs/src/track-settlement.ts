import type { Span } from '@opentelemetry/api';
import { recordSpanError } from '@tracehop/core';
import { MessageTimeoutError } from './errors.js';
import type { NsqMessageLike } from './types.js';

/** nsqjs `Message.TOUCH`: the one response that does not settle a message. */
const RESPONSE_TOUCH = 2;

/** A message whose `process` span waits for the message to be settled. */
interface Pending {
  readonly message: NsqMessageLike;
  readonly span: Span;
  readonly onRespond: (responseType: number) => void;
}

/**
 * Ends the `process` spans of one reader's messages when each message really is done with:
 * `finish()` or `requeue()` (nsqjs emits 'respond' once the FIN / REQ is sent — which also
 * covers the automatic finish after 'discard'), or its timeout.
 *
 * nsqjs emits nothing on a timeout, so the tracker follows each message's own deadline
 * (`timeUntilTimeout`, soft and hard, moved by every `touch()`). It does so with one timer per
 * reader, armed for the earliest deadline of its pending messages, not one per message:
 * setting and clearing a timer for every delivery cost more than all the rest of this
 * bookkeeping. When the timer fires, every pending message past a deadline ends with
 * MessageTimeoutError and the timer is armed again for the next deadline. It is unref'd (it
 * never keeps a process alive) and cleared as soon as nothing is pending.
 */
export class SettlementTracker {
  readonly #pending = new Set<Pending>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** When the armed timer fires, in ms since the epoch (Infinity when none is armed). */
  #timerAt = Infinity;

  /** Waits for `message` to be settled, or to time out, and then ends `span`. */
  track(message: NsqMessageLike, span: Span): void {
    const pending: Pending = {
      message,
      span,
      onRespond: (responseType) => {
        // A touch moves the soft deadline: the message may have timed out (hard), or not yet.
        if (responseType === RESPONSE_TOUCH) this.#check(pending);
        else this.#end(pending);
      },
    };
    this.#pending.add(pending);
    message.on('respond', pending.onRespond);
    this.#check(pending);
  }

  /** Ends the span of a message past one of its deadlines; otherwise makes sure the timer fires by its next one. */
  #check(pending: Pending): void {
    const { message } = pending;
    if (message.hasResponded) return;
    const soft = message.timeUntilTimeout(false);
    const hard = message.timeUntilTimeout(true);
    // Both deadlines are null once passed, exactly as nsqjs's own timeout tracking sees it.
    if (soft === null || hard === null) {
      this.#end(pending, new MessageTimeoutError(message.id));
      return;
    }
    this.#arm(Math.min(soft, hard));
  }

  #end(pending: Pending, error?: unknown): void {
    if (!this.#pending.delete(pending)) return;
    if (this.#pending.size === 0) this.#disarm();
    pending.message.removeListener('respond', pending.onRespond);
    if (error !== undefined) recordSpanError(pending.span, error);
    pending.span.end();
  }

  /** Arms the timer to fire in `delay` ms, unless it already fires by then. */
  #arm(delay: number): void {
    const at = Date.now() + delay;
    if (this.#timer !== undefined && this.#timerAt <= at) return;
    this.#disarm();
    this.#timerAt = at;
    this.#timer = setTimeout(() => this.#expire(), delay);
    this.#timer.unref?.();
  }

  #disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  /** The timer fired: ends what has timed out, and arms the timer for the next deadline. */
  #expire(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    // Deleting the entry being visited is safe while iterating a Set.
    for (const pending of this.#pending) this.#check(pending);
  }
}
