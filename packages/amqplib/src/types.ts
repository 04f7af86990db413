import type { Span } from '@opentelemetry/api';
import type { TracehopOptions } from '@tracehop/core';
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

/** Adds attributes to a PRODUCER span before the message is published. */
export type PublishHook = (span: Span, info: PublishInfo) => void;

/** Adds attributes to a consumer span before the handler runs (or `get` returns). */
export type ConsumeHook = (span: Span, info: ConsumeInfo) => void;

/** Options of `instrumentConnection` and `instrumentChannel`. */
export interface AmqplibInstrumentationOptions extends TracehopOptions {
  /**
   * Called with each PRODUCER span and the message, before amqplib sends it, to add
   * attributes. A throw or a rejected promise is logged through `diag` and otherwise
   * ignored. Not called in propagate-only mode (`spans: false`). Default: none.
   */
  publishHook?: PublishHook;
  /**
   * Called with each `process` span (consume) and `receive` span (get), before the handler
   * runs or the message is returned. A throw or a rejected promise is logged through `diag`
   * and otherwise ignored. Not called in propagate-only mode. Default: none.
   */
  consumeHook?: ConsumeHook;
  /**
   * How long, in milliseconds, a consumed message's span may wait for its settlement (ack,
   * nack, reject, or, for a `noAck` consumer, the end of the handler) before tracehop ends it
   * with status ERROR (`error.type` `SettleTimeoutError`). A safety net for messages that are
   * never settled; `0` turns it off (spans then end at settlement or channel close only).
   * Default: 1 800 000 (30 minutes, RabbitMQ's default `consumer_timeout`).
   */
  settleTimeoutMs?: number;
}
