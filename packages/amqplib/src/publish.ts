import type { Span } from '@opentelemetry/api';
import { diag } from '@opentelemetry/api';
import { recordSpanError, runHookSafely, startProducerSpan } from '@tracehop/core';
import type { ChannelState } from './channel-state.js';
import { producerDestination, spanName } from './destination.js';
import { publishOptions } from './publish-headers.js';
import { NO_ATTRIBUTES, producerAttributes, text } from './span-attributes.js';
import type { PublishInfo } from './types.js';

/** Positions of `publish(exchange, routingKey, content, options, callback)`'s arguments. */
const OPTIONS = 3;
const CONFIRM_CALLBACK = 4;

type AnyCallback = (this: unknown, ...args: unknown[]) => unknown;

/** A producer span that ends exactly once, whichever of publish or confirm finishes it. */
class SendSpan {
  readonly #span: Span;
  #ended = false;

  constructor(span: Span) {
    this.#span = span;
  }

  end(error?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    if (error) recordSpanError(this.#span, error);
    this.#span.end();
  }
}

/**
 * The ConfirmChannel callback that amqplib calls once the broker acks (`null`) or nacks (an
 * error) the message, or the channel closes first (an error): the span ends there, then the
 * caller's callback, if any, runs with exactly the same arguments. A missing callback stays
 * missing to the caller; tracehop's own takes its place in amqplib, which calls it once.
 */
function confirmCallback(send: SendSpan, callback: unknown): AnyCallback {
  return function onConfirm(this: unknown, ...args: unknown[]): unknown {
    send.end(args[0]);
    // Truthy, as amqplib tests it: a non-function still fails the way it would without tracehop.
    if (callback) return (callback as AnyCallback).apply(this, args);
    return undefined;
  };
}

interface Prepared {
  readonly args: unknown[];
  readonly send: SendSpan | undefined;
}

/**
 * Starts the `send` span and builds the arguments amqplib gets: the caller's options seen
 * through a copy whose headers carry the span's context, and on a ConfirmChannel a callback
 * that ends the span at the confirm. Never throws: on an internal failure the message is
 * published exactly as the caller asked.
 */
function prepare(state: ChannelState, args: unknown[]): Prepared | undefined {
  let send: SendSpan | undefined;
  try {
    const { resolved, publishHook } = state.instrumentation;
    const exchange = text(args[0]);
    const routingKey = text(args[1]);
    const destination = producerDestination(exchange, routingKey);
    const { span, context } = startProducerSpan(resolved, {
      name: spanName('send', destination),
      // Propagate-only mode makes no span, and so reads no attributes.
      attributes: resolved.tracer === undefined ? NO_ATTRIBUTES : producerAttributes(destination, routingKey, args[OPTIONS], state.server()),
    });
    if (span !== undefined) send = new SendSpan(span);
    const next = args.slice();
    next[OPTIONS] = publishOptions(resolved, args[OPTIONS], context);
    if (state.confirm && send !== undefined) next[CONFIRM_CALLBACK] = confirmCallback(send, args[CONFIRM_CALLBACK]);
    if (span !== undefined && publishHook !== undefined) {
      const info: PublishInfo = {
        exchange,
        routingKey,
        content: args[2] as Buffer,
        options: next[OPTIONS] as PublishInfo['options'],
        confirm: state.confirm,
      };
      runHookSafely('publishHook', publishHook, span, info);
    }
    return { args: next, send };
  } catch (error) {
    diag.warn('tracehop: could not trace a publish; the message is sent without trace context', error);
    send?.end();
    return undefined;
  }
}

/**
 * `publish` with a PRODUCER span and the trace context in the message's headers. amqplib's
 * return value (false when its write buffer is full) is passed through; a throw (a closed
 * channel, a payload that is not a Buffer) ends the span with ERROR and is rethrown as is.
 * On a plain channel the span ends when amqplib has taken the message; on a ConfirmChannel,
 * at the broker's confirm.
 */
export function tracedPublish(state: ChannelState, args: unknown[]): unknown {
  const publish = state.method('publish');
  const prepared = prepare(state, args);
  if (prepared === undefined) return state.result(publish.apply(state.target, args));
  const { send } = prepared;
  let result: unknown;
  try {
    result = publish.apply(state.target, prepared.args);
  } catch (error) {
    send?.end(error);
    throw error;
  }
  if (!state.confirm) send?.end();
  return state.result(result);
}

/**
 * `sendToQueue(queue, …)` is, in amqplib, `publish('', queue, …)` (both APIs, both channel
 * kinds). It is traced as exactly that publish, so a message sent to a queue gets one span
 * and one injection, whatever amqplib's `sendToQueue` would call internally.
 */
export function tracedSendToQueue(state: ChannelState, args: unknown[]): unknown {
  return tracedPublish(state, ['', ...args]);
}
