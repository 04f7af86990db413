import { diag } from '@opentelemetry/api';
import { Publication } from '@tracehop/core';
import type { ChannelState } from './channel-state.js';
import { producerDestination, spanName } from './destination.js';
import { metricAttributes } from './metric-attributes.js';
import { publishOptions } from './publish-headers.js';
import { producerAttributes, text } from './span-attributes.js';
import type { PublishInfo } from './types.js';

/** Positions of `publish(exchange, routingKey, content, options, callback)`'s arguments. */
const OPTIONS = 3;
const CONFIRM_CALLBACK = 4;

type AnyCallback = (this: unknown, ...args: unknown[]) => unknown;

/**
 * The ConfirmChannel callback that amqplib calls once the broker acks (`null`) or nacks (an
 * error) the message, or the channel closes first (an error): the span ends there, then the
 * caller's callback, if any, runs with exactly the same arguments. A missing callback stays
 * missing to the caller; tracehop's own takes its place in amqplib, which calls it once.
 */
function confirmCallback(publication: Publication, callback: unknown): AnyCallback {
  return function onConfirm(this: unknown, ...args: unknown[]): unknown {
    publication.end(args[0]);
    // Truthy, as amqplib tests it: a non-function still fails the way it would without tracehop.
    if (callback) return (callback as AnyCallback).apply(this, args);
    return undefined;
  };
}

interface Prepared {
  readonly args: unknown[];
  readonly publication: Publication;
}

/**
 * Starts the `send` span (core's Publication, one message) and builds the arguments amqplib
 * gets: the caller's options seen through a copy whose headers carry the span's context, and
 * on a ConfirmChannel a callback that ends the span at the confirm. Never throws: on an
 * internal failure the message is published exactly as the caller asked.
 */
function prepare(state: ChannelState, args: unknown[], argsAreOurs: boolean): Prepared | undefined {
  let publication: Publication | undefined;
  try {
    const { resolved } = state.instrumentation;
    const exchange = text(args[0]);
    const routingKey = text(args[1]);
    const callerOptions = args[OPTIONS];
    const destination = producerDestination(exchange, routingKey);
    publication = new Publication(resolved, {
      name: spanName('send', destination),
      attributes: () => producerAttributes(resolved.semconv, destination, routingKey, callerOptions, state.server()),
      count: 1,
      metrics: () => ({ operation: metricAttributes(resolved.semconv, 'send', destination, state.server(), true) }),
    });
    // One message: the `send` span's own context (a batch would describe its `create` spans).
    const context = publication.contextFor();
    const options = publishOptions(resolved, callerOptions, context, state.target);
    const callback = state.confirm && publication.observed ? confirmCallback(publication, args[CONFIRM_CALLBACK]) : undefined;
    const info: PublishInfo = {
      exchange,
      routingKey,
      content: args[2] as Buffer,
      options: options as PublishInfo['options'],
      confirm: state.confirm,
    };
    publication.hook(info);
    publication.handOff();
    // Written last, once nothing can fail: a failure above publishes the arguments as given.
    // The caller's own array is never written to; the one `sendToQueue` made is ours.
    const next = argsAreOurs ? args : args.slice();
    next[OPTIONS] = options;
    if (callback !== undefined) next[CONFIRM_CALLBACK] = callback;
    return { args: next, publication };
  } catch (error) {
    diag.warn('tracehop: could not trace a publish; the message is sent without trace context', error);
    publication?.abort();
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
export function tracedPublish(state: ChannelState, args: unknown[], argsAreOurs = false): unknown {
  const publish = state.method('publish');
  const prepared = prepare(state, args, argsAreOurs);
  if (prepared === undefined) return state.result(publish.apply(state.target, args));
  const { publication } = prepared;
  let result: unknown;
  try {
    result = publish.apply(state.target, prepared.args);
  } catch (error) {
    publication.end(error);
    throw error;
  }
  if (!state.confirm) publication.end();
  return state.result(result);
}

/**
 * `sendToQueue(queue, …)` is, in amqplib, `publish('', queue, …)` (both APIs, both channel
 * kinds). It is traced as exactly that publish, so a message sent to a queue gets one span
 * and one injection, whatever amqplib's `sendToQueue` would call internally.
 */
export function tracedSendToQueue(state: ChannelState, args: unknown[]): unknown {
  return tracedPublish(state, ['', ...args], true);
}
