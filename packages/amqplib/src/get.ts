import type { Context, Link } from '@opentelemetry/api';
import { SpanKind, context as contextApi, diag, propagation, trace } from '@opentelemetry/api';
import { extractInbound, recordSpanError, runHookSafely, type InboundContext } from '@tracehop/core';
import { performance } from 'node:perf_hooks';
import type { AnyFunction, ChannelState } from './channel-state.js';
import { consumerDestination, queueDestination, spanName } from './destination.js';
import { setMessageContext } from './message-context.js';
import { consumerAttributes, text, type DeliveredMessage } from './span-attributes.js';
import type { ConsumeInfo } from './types.js';

/** Position of the callback in the callback API's `get(queue, options, callback)`. */
const CALLBACK = 2;

/**
 * The context a fetched message is received in. Unlike a consume handler, a `get()` is
 * called by the application, so the span around the call is a meaningful parent: the
 * producer's span is the parent under `inbound: 'parent'` when the message carries one,
 * otherwise the caller's span; under `'link'` the producer's span is linked.
 */
function receiveContext(state: ChannelState, inbound: InboundContext, active: Context): { base: Context; links?: Link[] } {
  const policy = state.instrumentation.resolved.inbound;
  let base = policy === 'parent' && inbound.spanContext !== undefined ? trace.setSpanContext(active, inbound.spanContext) : active;
  if (inbound.baggage !== undefined) base = propagation.setBaggage(base, inbound.baggage);
  const links = policy === 'link' && inbound.spanContext !== undefined ? [{ context: inbound.spanContext }] : undefined;
  return { base, links };
}

/**
 * One `get()` call: when amqplib answers (a message, `false` for an empty queue, or an
 * error), a `receive` span is recorded from the call's start, and the message's context
 * kept for `getMessageContext`. Runs at most once; never throws.
 */
function receiver(state: ChannelState, queue: string): (error: unknown, message?: unknown) => void {
  const started = performance.now();
  const active = contextApi.active();
  let done = false;
  return (error, message) => {
    if (done) return;
    done = true;
    try {
      const { resolved, consumeHook } = state.instrumentation;
      const delivered = message !== null && typeof message === 'object' ? (message as DeliveredMessage) : undefined;
      const inbound = extractInbound(resolved, delivered?.properties?.headers);
      const { base, links } = receiveContext(state, inbound, active);
      const destination =
        delivered === undefined
          ? queueDestination(queue)
          : consumerDestination(text(delivered.fields?.exchange), text(delivered.fields?.routingKey), queue);
      const span = resolved.tracer?.startSpan(
        spanName('receive', queueDestination(queue)),
        {
          kind: SpanKind.CLIENT,
          attributes: consumerAttributes('receive', destination, delivered, state.server()),
          links,
          startTime: started,
        },
        base,
      );
      if (delivered !== undefined) {
        setMessageContext(delivered, span === undefined ? base : trace.setSpan(base, span));
        if (span !== undefined && consumeHook !== undefined) {
          const info: ConsumeInfo = { message: delivered as ConsumeInfo['message'], queue, operation: 'receive' };
          runHookSafely('consumeHook', consumeHook, span, info);
        }
      }
      if (span !== undefined) {
        if (error) recordSpanError(span, error);
        span.end();
      }
    } catch (failure) {
      diag.warn('tracehop: could not trace a get()', failure);
    }
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as PromiseLike<unknown>).then === 'function';
}

/**
 * `get(queue, options)` (promise API) or `get(queue, options, callback)` (callback API) with
 * a `receive` span (kind CLIENT, as the conventions give pull-based receives). The promise
 * API gets back a promise that settles like amqplib's, after tracehop recorded the result;
 * the callback API's callback is called once, with amqplib's own arguments. Either way the
 * message's context is ready for `getMessageContext` by the time the caller sees it.
 */
export function tracedGet(state: ChannelState, args: unknown[]): unknown {
  const get = state.method('get');
  const queue = text(args[0]);
  const received = receiver(state, queue);
  const next = args.slice();
  const callback = args[CALLBACK];
  // Always passed: the callback API otherwise gives the result to nobody, and the promise
  // API ignores an argument it does not take.
  next[CALLBACK] = function onGet(this: unknown, ...reply: unknown[]): unknown {
    received(reply[0], reply[1]);
    // Truthy, as amqplib tests it.
    return callback ? (callback as AnyFunction).apply(this, reply) : undefined;
  };
  let result: unknown;
  try {
    result = get.apply(state.target, next);
  } catch (error) {
    received(error);
    throw error;
  }
  if (!isThenable(result)) return state.result(result);
  return result.then(
    (message) => {
      received(null, message);
      return message;
    },
    (error: unknown) => {
      received(error);
      throw error;
    },
  );
}
