import type { Context } from '@opentelemetry/api';
import { context as contextApi, diag } from '@opentelemetry/api';
import { extractInbound, runHookSafely, startConsumerSpan } from '@tracehop/core';
import type { AnyFunction, ChannelState } from './channel-state.js';
import { consumerDestination, spanName } from './destination.js';
import { setMessageContext } from './message-context.js';
import { NO_ATTRIBUTES, consumerAttributes, text, type DeliveredMessage } from './span-attributes.js';
import type { ConsumeInfo } from './types.js';

/** A delivery being processed: the context its handler runs in, and how its span is tracked. */
interface Delivery {
  readonly context: Context;
  /** The tracker key (the delivery tag), or undefined when no span is tracked. */
  readonly tag: number | undefined;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

/**
 * Restores the message's context and starts its `process` span, registered with the
 * channel's tracker under its delivery tag before the handler runs (so that an ack inside
 * the handler ends it). Never throws: on an internal failure, undefined.
 */
function startDelivery(state: ChannelState, queue: string, message: DeliveredMessage, noAck: boolean): Delivery | undefined {
  try {
    const { resolved, consumeHook } = state.instrumentation;
    const fields = message.fields;
    const destination = consumerDestination(text(fields?.exchange), text(fields?.routingKey), queue);
    const { span, context } = startConsumerSpan(resolved, {
      name: spanName('process', destination),
      // Propagate-only mode makes no span, and so reads no attributes.
      attributes: resolved.tracer === undefined ? NO_ATTRIBUTES : consumerAttributes('process', destination, message, state.server()),
      inbound: extractInbound(resolved, message.properties?.headers),
    });
    setMessageContext(message, context);
    if (span === undefined) return { context, tag: undefined };
    const deliveryTag = fields?.deliveryTag;
    // amqplib always gives a tag; without one, the span can only end with its handler.
    const tag = typeof deliveryTag === 'number' ? deliveryTag : state.syntheticTag();
    state.tracker.track(tag, span, noAck || typeof deliveryTag !== 'number');
    if (consumeHook !== undefined) {
      const info: ConsumeInfo = { message: message as ConsumeInfo['message'], queue, operation: 'process' };
      runHookSafely('consumeHook', consumeHook, span, info);
    }
    return { context, tag };
  } catch (error) {
    diag.warn('tracehop: could not trace a delivery; the handler runs without its context', error);
    return undefined;
  }
}

/** Never lets tracehop's bookkeeping turn into an error in the delivery path. */
function safely(work: () => void): void {
  try {
    work();
  } catch (error) {
    diag.error('tracehop: consumer span bookkeeping failed', error);
  }
}

/**
 * Wraps a `consume` handler: each message is processed inside its `process` span with the
 * producer's context (per the `inbound` and `baggage` policies) active. The span ends when
 * the message is settled (see SettlementTracker); for a `noAck` consumer, when the handler
 * returns or the promise it returns settles. A `null` delivery (the server cancelled the
 * consumer) reaches the handler untouched. The handler's return value is returned as is and
 * its throw rethrown as is, so amqplib reacts exactly as it would without tracehop.
 */
export function tracedConsumeHandler(state: ChannelState, queue: string, onMessage: AnyFunction, noAck: boolean): AnyFunction {
  const { tracker } = state;
  // The error is recorded; a noAck span ends with the handler, others wait for settlement.
  const failed = (tag: number, error: unknown): void => {
    tracker.fail(tag, error);
    tracker.finish(tag);
  };
  return function tracedHandler(this: unknown, ...args: unknown[]): unknown {
    const message = args[0];
    if (message === null || typeof message !== 'object') return onMessage.apply(this, args);
    const delivery = startDelivery(state, queue, message as DeliveredMessage, noAck);
    if (delivery === undefined) return onMessage.apply(this, args);
    const { tag } = delivery;
    let result: unknown;
    try {
      result = contextApi.with(delivery.context, () => onMessage.apply(this, args));
    } catch (error) {
      if (tag !== undefined) safely(() => failed(tag, error));
      throw error;
    }
    if (tag === undefined) return result;
    if (!isThenable(result)) {
      safely(() => tracker.finish(tag));
      return result;
    }
    // Observed, not replaced: amqplib ignores what a handler returns. A rejection is recorded
    // and rethrown in the derived promise, so an unhandled rejection is still reported, with
    // the same reason, as it would be without tracehop.
    result.then(
      () => safely(() => tracker.finish(tag)),
      (error: unknown) => {
        safely(() => failed(tag, error));
        throw error;
      },
    );
    return result;
  };
}
