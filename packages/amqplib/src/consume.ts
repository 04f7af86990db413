import type { Span } from '@opentelemetry/api';
import { processMessage, type Settlement } from '@tracehop/core';
import type { AnyFunction, ChannelState } from './channel-state.js';
import { consumerDestination, spanName } from './destination.js';
import { setMessageContext } from './message-context.js';
import { QueueBacklog } from './queue-backlog.js';
import { amqpTimestamp, metricAttributes } from './metric-attributes.js';
import { consumerAttributes, text, type DeliveredMessage } from './span-attributes.js';
import type { ConsumeInfo } from './types.js';

/**
 * How a delivery's span ends: at its settlement, by delivery tag, in the channel's tracker —
 * or, for a `noAck` consumer (and a delivery without a tag), when its handler finishes.
 * One object per delivery, its methods shared (made for every message, propagate-only too).
 */
class DeliverySettlement implements Settlement {
  readonly #state: ChannelState;
  readonly #tag: number;
  readonly #endsWithHandler: boolean;

  constructor(state: ChannelState, message: DeliveredMessage, noAck: boolean) {
    const deliveryTag = message.fields?.deliveryTag;
    const tagged = typeof deliveryTag === 'number';
    this.#state = state;
    // amqplib always gives a tag; without one, the span can only end with its handler.
    this.#tag = tagged ? deliveryTag : state.syntheticTag();
    this.#endsWithHandler = noAck || !tagged;
  }

  track(span: Span): void {
    this.#state.tracker.track(this.#tag, span, this.#state.deadline(), this.#endsWithHandler);
  }

  failed(error: unknown): void {
    this.#state.tracker.fail(this.#tag, error);
  }

  done(): void {
    this.#state.tracker.handlerDone(this.#tag);
  }
}

/**
 * Wraps a `consume` handler: each message is processed inside its `process` span (core's
 * `processMessage`, which also records its metrics, ending with the span) with the producer's context (per the `inbound` and `baggage` policies)
 * active. The span ends when the message is settled (ack, nack, reject and their bulk forms,
 * channel close, or the safety timeout); for a `noAck` consumer, when the handler returns or
 * the promise it returns settles. A `null` delivery (the server cancelled the consumer)
 * reaches the handler untouched. The handler's throw is rethrown as is, so amqplib reacts
 * exactly as it would without tracehop.
 */
export function tracedConsumeHandler(state: ChannelState, queue: string, onMessage: AnyFunction, noAck: boolean): AnyFunction {
  const { resolved, sampling } = state.instrumentation;
  const backlog = sampling === undefined ? undefined : new QueueBacklog(queue, queue, sampling, state.openProbe);
  if (backlog !== undefined) state.backlogs.push(backlog);
  return function tracedHandler(this: unknown, ...args: unknown[]): unknown {
    const message = args[0];
    if (message === null || typeof message !== 'object') return onMessage.apply(this, args);
    const delivered = message as DeliveredMessage;
    const destination = consumerDestination(text(delivered.fields?.exchange), text(delivered.fields?.routingKey), queue);
    const info: ConsumeInfo = { message: message as ConsumeInfo['message'], queue, operation: 'process' };
    return processMessage(
      resolved,
      {
        name: spanName('process', destination),
        attributes: () => consumerAttributes(resolved.semconv, 'process', destination, delivered, state.server()),
        carrier: delivered.properties?.headers,
        hookInfo: info,
        sampling: backlog?.delivered(),
        onContext: (context) => setMessageContext(delivered, context),
        settlement: new DeliverySettlement(state, delivered, noAck),
        metricAttributes: () => metricAttributes(resolved.semconv, 'process', destination, state.server()),
        publishedAt: () => amqpTimestamp(delivered),
      },
      () => onMessage.apply(this, args),
    );
  };
}
