import type { Span } from '@opentelemetry/api';
import type { TracehopOptions } from '@tracehop/core';
import type { Batch, KafkaMessage, Message } from 'kafkajs';

/** What a producer hook is told about the message a span stands for. */
export interface KafkaProducerHookInfo {
  /** The topic the message is sent to. */
  readonly topic: string;
  /**
   * The message as it will be sent: tracehop's copy of yours, with the trace headers already
   * written. Changes made here are sent; your own object is never touched.
   */
  readonly message: Message;
}

/** What a consumer hook is told about the message, or batch, a span stands for. */
export interface KafkaConsumerHookInfo {
  readonly topic: string;
  readonly partition: number;
  /** The message, for `eachMessage` spans and per-message spans of `withMessageContext`. */
  readonly message: KafkaMessage | undefined;
  /** The batch, for the span around an `eachBatch` handler and its per-message spans. */
  readonly batch: Batch | undefined;
}

/**
 * Called with every recording producer span, once per message that carries its context, to
 * add attributes. It runs safely: a throw or a rejection is reported through `diag` only.
 */
export type KafkaProducerHook = (span: Span, info: KafkaProducerHookInfo) => void;

/**
 * Called with every recording consumer span right after it starts, before the handler runs.
 * It runs safely: a throw or a rejection is reported through `diag` only.
 */
export type KafkaConsumerHook = (span: Span, info: KafkaConsumerHookInfo) => void;

/** Options of `instrumentKafka`, `instrumentProducer` and `instrumentConsumer`. */
export interface KafkaInstrumentationOptions extends TracehopOptions {
  /**
   * When one `send` / `sendBatch` call carries more than one message, give each message its
   * own creation context: a `create {topic}` PRODUCER span per message, whose context that
   * message carries, and a `send {topic}` CLIENT span for the call that links to them
   * (messaging conventions, "Producer spans": recommended for batching APIs, with an option to
   * turn it off). With `false`, one `send {topic}` PRODUCER span per call, and every message of
   * the call carries its context. A call with exactly one message always makes a single
   * `send {topic}` PRODUCER span. Default: true.
   */
  createSpans?: boolean;
  /**
   * The `messaging.client.id` attribute, for example the `clientId` given to `new Kafka()`:
   * kafkajs does not expose it on its producers and consumers. Default: not set.
   */
  clientId?: string;
  /**
   * The broker, as `host` or `host:port`, recorded as `server.address` / `server.port`.
   * kafkajs does not say which broker leads a partition, so this is whatever you name
   * (typically the bootstrap address). Default: not set.
   */
  serverAddress?: string;
  /** Adds attributes to producer spans (see `KafkaProducerHook`). Default: none. */
  producerHook?: KafkaProducerHook;
  /** Adds attributes to consumer spans (see `KafkaConsumerHook`). Default: none. */
  consumerHook?: KafkaConsumerHook;
}

/** Options of `withMessageContext`. */
export interface MessageContextOptions {
  /**
   * Make a `process {topic}` CONSUMER span for this one message around `fn`, placed per the
   * consumer's `inbound` policy. Ignored when the consumer was wrapped with `spans: false`.
   * Default: false (only the message's context is restored).
   */
  span?: boolean;
}
