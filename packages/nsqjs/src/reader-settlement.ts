import type { Span } from '@opentelemetry/api';
import { SettlementTracker, type Settlement } from '@tracehop/core';
import { MessageTimeoutError } from './errors.js';
import type { NsqMessageLike } from './types.js';

/** nsqjs `Message.TOUCH`: the one response that does not settle a message. */
const RESPONSE_TOUCH = 2;

/** What an unsettled message's span records when its reader closes first. */
const READER_CLOSED = {
  type: 'ReaderClosedError',
  message: 'the reader closed before the message was finished or requeued; nsqd will redeliver it',
};

/**
 * When the message times out, as nsqjs sees it: its soft deadline (moved by every `touch()`)
 * or its hard one, whichever comes first; both are null once passed.
 */
function deadlineOf(message: NsqMessageLike): () => number {
  return () => {
    const soft = message.timeUntilTimeout(false);
    const hard = message.timeUntilTimeout(true);
    return soft === null || hard === null ? 0 : Date.now() + Math.min(soft, hard);
  };
}

/** The `process` spans of one reader's messages, waiting for `finish()` / `requeue()` (core's tracker). */
export function createReaderTracker(): SettlementTracker<NsqMessageLike> {
  return new SettlementTracker<NsqMessageLike>({
    timeout: (message) => new MessageTimeoutError((message as NsqMessageLike).id),
    closed: READER_CLOSED,
  });
}

/**
 * How a message's span ends: when the message is finished or requeued (nsqjs emits 'respond'
 * once the FIN / REQ is sent — which also covers the automatic finish after 'discard'), at
 * its timeout (nsqjs emits nothing then: the tracker follows its deadlines), or when the
 * reader closes. A span nobody records (no SDK, not sampled) ends at once: it needs no
 * listener and no timer.
 */
export function messageSettlement(tracker: SettlementTracker<NsqMessageLike>, message: NsqMessageLike): Settlement {
  // One object per message, its methods shared: made for every delivery, propagate-only too.
  return new MessageSettlement(tracker, message);
}

class MessageSettlement implements Settlement {
  readonly #tracker: SettlementTracker<NsqMessageLike>;
  readonly #message: NsqMessageLike;

  constructor(tracker: SettlementTracker<NsqMessageLike>, message: NsqMessageLike) {
    this.#tracker = tracker;
    this.#message = message;
  }

  track(span: Span): void {
    const tracker = this.#tracker;
    const message = this.#message;
    if (!span.isRecording() || message.hasResponded) {
      span.end();
      return;
    }
    // Not removed at the FIN / REQ: nsqjs sends nothing more for a message once it has
    // responded (`hasResponded`), so the listener goes with the message.
    message.on('respond', (responseType: number): void => {
      if (responseType === RESPONSE_TOUCH) tracker.recheck(message);
      else tracker.settle(message);
    });
    tracker.track(message, span, deadlineOf(message));
  }

  failed(error: unknown): void {
    this.#tracker.fail(this.#message, error);
  }

  done(): void {}
}
