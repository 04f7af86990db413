import type { ConsumerSamplingOptions, TracehopClientOptions } from '@tracehop/core';
import type { Message, Options } from 'amqplib';

/** What a `publishHook` is told about a message that is about to be published. */
export interface PublishInfo {
  /** The exchange, `''` for the default exchange (and for `sendToQueue`). */
  readonly exchange: string;
  /** The routing key; for `sendToQueue`, the queue name. */
  readonly routingKey: string;
  /** The payload, exactly as given to `publish`. */
  readonly content: Buffer;
  /**
   * The options handed to amqplib: tracehop's own copy of the caller's options, with the
   * trace context already in `headers`. The caller's object is never passed here.
   */
  readonly options: Options.Publish;
  /** True on a ConfirmChannel, where the span ends at the broker's confirm. */
  readonly confirm: boolean;
}

/** What a `consumeHook` is told about a message that was delivered or fetched. */
export interface ConsumeInfo {
  /** The message as amqplib delivered it (never modified). */
  readonly message: Message;
  /** The queue given to `consume` or `get`. */
  readonly queue: string;
  /** `'process'` for a `consume` delivery, `'receive'` for a `get`. */
  readonly operation: 'process' | 'receive';
}

/**
 * Options of `instrumentConnection` and `instrumentChannel`: every option of `@tracehop/core`
 * (`propagator`, `extract`, `inbound`, `baggage`, `spans`, `tracerProvider`, `b3CanonicalCase`,
 * `publishHook`, `consumeHook`), plus RabbitMQ's own.
 */
export interface AmqplibInstrumentationOptions extends TracehopClientOptions<PublishInfo, ConsumeInfo>, ConsumerSamplingOptions {
  /**
   * How long, in milliseconds, a consumed message's span may wait for its settlement (ack,
   * nack, reject, or, for a `noAck` consumer, the end of the handler) before tracehop ends it
   * with status ERROR (`error.type` `SettleTimeoutError`). A safety net for messages that are
   * never settled; `0` turns it off (spans then end at settlement or channel close only).
   * Default: 1 800 000 (30 minutes, RabbitMQ's default `consumer_timeout`).
   */
  settleTimeoutMs?: number;
  /**
   * Add a span event naming the settlement (`ack`, `nack`, `reject`, `recover`, with
   * `messaging.operation.type: settle` and, for nack and reject, `tracehop.requeue`) to each
   * `process` span as it ends. The messaging conventions define settlement as an operation of
   * its own, not as an event on the process span, so this is off by default: the span's end
   * marks the settlement, and an event per message costs measurable time (docs/semantics.md).
   * Default: false.
   */
  settlementEvents?: boolean;
}
