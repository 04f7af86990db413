import type { Span } from '@opentelemetry/api';
import { recordSpanError } from '@tracehop/core';
import { MessageTimeoutError } from './errors.js';
import type { NsqMessageLike } from './types.js';

/** nsqjs `Message.TOUCH`: the one response that does not settle a message. */
const RESPONSE_TOUCH = 2;

/**
 * Ends a message's `process` span when the message really is done with: `finish()` or
 * `requeue()` (nsqjs emits 'respond' once the FIN / REQ is sent — which also covers the
 * automatic finish after 'discard'), or its timeout. nsqjs emits nothing on a timeout, so a
 * timer follows the message's own deadline (`timeUntilTimeout`, soft and hard) and moves
 * with every `touch()`. The timer is unref'd: it never keeps a process alive.
 */
export function trackSettlement(message: NsqMessageLike, span: Span): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let ended = false;

  const end = (error?: unknown) => {
    if (ended) return;
    ended = true;
    if (timer !== undefined) clearTimeout(timer);
    message.removeListener('respond', onRespond);
    if (error !== undefined) recordSpanError(span, error);
    span.end();
  };

  const schedule = () => {
    if (timer !== undefined) clearTimeout(timer);
    if (message.hasResponded) return;
    const soft = message.timeUntilTimeout(false);
    const hard = message.timeUntilTimeout(true);
    // Both deadlines are null once passed, exactly as nsqjs's own timeout tracking sees it.
    if (soft === null || hard === null) {
      end(new MessageTimeoutError(message.id));
      return;
    }
    timer = setTimeout(schedule, Math.min(soft, hard));
    timer.unref?.();
  };

  function onRespond(responseType: number): void {
    if (responseType === RESPONSE_TOUCH) schedule();
    else end();
  }

  message.on('respond', onRespond);
  schedule();
}
