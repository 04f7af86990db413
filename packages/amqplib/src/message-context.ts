import type { Context } from '@opentelemetry/api';
import { messageStamp } from '@tracehop/core';
import type { Message } from 'amqplib';

/**
 * The context of each delivered or fetched message, stamped on amqplib's message object
 * itself (core's `messageStamp`: invisible, as cheap as a property write, lives as long as
 * the message, shared by the ESM and CJS builds).
 */
const contexts = messageStamp<Context>('amqplib-message-context');

/** Records the context of a message that a wrapped channel delivered or returned. */
export function setMessageContext(message: object, context: Context): void {
  contexts.set(message, context);
}

/**
 * The trace context of a message received through an instrumented channel, or undefined for
 * any other message (or `false`, `null`).
 *
 * - For a message returned by `get()`, it is the context of its `receive` span (a child of
 *   the producer's span under `inbound: 'parent'`), with the message's baggage: run the work
 *   done for the message in it with `context.with(getMessageContext(message), work)`.
 * - For a message delivered to a `consume` handler, it is the context of its `process` span,
 *   already active inside the handler; the helper makes it available to work that continues
 *   elsewhere (a queue of jobs, a worker).
 *
 * In propagate-only mode (`spans: false`) it is the restored inbound context.
 */
export function getMessageContext(message: Message | false | null | undefined): Context | undefined {
  if (message === null || typeof message !== 'object') return undefined;
  return contexts.get(message);
}
