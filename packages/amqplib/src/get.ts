import { context as contextApi, diag } from '@opentelemetry/api';
import { OperationMeasure, extractInbound, isThenable, recordSpanError, runHookSafely, startReceiveSpan } from '@tracehop/core';
import { performance } from 'node:perf_hooks';
import type { AnyFunction, ChannelState } from './channel-state.js';
import { consumerDestination, queueDestination, spanName, type Destination } from './destination.js';
import { setMessageContext } from './message-context.js';
import { amqpTimestamp, metricAttributes } from './metric-attributes.js';
import { consumerAttributes, text, type DeliveredMessage } from './span-attributes.js';
import type { ConsumeInfo } from './types.js';

/** Position of the callback in the callback API's `get(queue, options, callback)`. */
const CALLBACK = 2;

/**
 * The metrics of a `get()` that has been answered: a `receive` operation (its duration, an
 * empty queue included), the message it delivered (counted here, at receive, as the
 * conventions ask of pulls), and how long that message waited (`timestamp` property).
 */
function recordGet(measure: OperationMeasure, destination: Destination, delivered: DeliveredMessage | undefined, error: unknown, state: ChannelState): void {
  const server = state.server();
  const names = state.instrumentation.resolved.semconv;
  const consumed = metricAttributes(names, 'receive', destination, server);
  measure.received(metricAttributes(names, 'receive', destination, server, true), consumed, delivered === undefined ? 0 : 1, error);
  if (delivered !== undefined) measure.waited(consumed, amqpTimestamp(delivered));
}

/**
 * One `get()` call: when amqplib answers (a message, `false` for an empty queue, or an
 * error), a `receive` span is recorded from the call's start (core's `startReceiveSpan`), and
 * the message's context kept for `getMessageContext`; its metrics, with or without spans.
 * Runs at most once; never throws.
 */
function receiver(state: ChannelState, queue: string): (error: unknown, message?: unknown) => void {
  const started = performance.now();
  const measure = OperationMeasure.start(state.instrumentation.resolved.metrics);
  // The application's call, not a client callback: its span may parent the receive span.
  const caller = contextApi.active();
  let done = false;
  return (error, message) => {
    if (done) return;
    done = true;
    try {
      const { resolved } = state.instrumentation;
      const delivered = message !== null && typeof message === 'object' ? (message as DeliveredMessage) : undefined;
      const destination =
        delivered === undefined
          ? queueDestination(queue)
          : consumerDestination(text(delivered.fields?.exchange), text(delivered.fields?.routingKey), queue);
      const { span, context } = startReceiveSpan(resolved, {
        name: spanName('receive', queueDestination(queue)),
        attributes: () => consumerAttributes(resolved.semconv, 'receive', destination, delivered, state.server()),
        inbound: extractInbound(resolved, delivered?.properties?.headers),
        caller,
        startTime: started,
      });
      if (delivered !== undefined) {
        setMessageContext(delivered, context);
        const hook = resolved.consumeHook as ((span: unknown, info: ConsumeInfo) => void) | undefined;
        if (span !== undefined && hook !== undefined && span.isRecording()) {
          const info: ConsumeInfo = { message: delivered as ConsumeInfo['message'], queue, operation: 'receive' };
          runHookSafely('consumeHook', hook, span, info);
        }
      }
      if (span !== undefined) {
        if (error) recordSpanError(span, error);
        span.end();
      }
      if (measure !== undefined) recordGet(measure, destination, delivered, error || undefined, state);
    } catch (failure) {
      diag.warn('tracehop: could not trace a get()', failure);
    }
  };
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
