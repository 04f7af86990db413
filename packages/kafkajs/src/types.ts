import type { BatchingOptions, ConsumerSamplingOptions, TracehopClientOptions } from '@tracehop/core';
import type { Batch, KafkaMessage, Message } from 'kafkajs';

/** What a `publishHook` is told about the message a span stands for. */
export interface KafkaPublishInfo {
  /** The topic the message is sent to. */
  readonly topic: string;
  /**
   * The message as it will be sent: tracehop's copy of yours, with the trace headers already
   * written. Changes made here are sent; your own object is never touched.
   */
  readonly message: Message;
}

/** What a `consumeHook` is told about the message, or batch, a span stands for. */
export interface KafkaConsumeInfo {
  readonly topic: string;
  readonly partition: number;
  /** The message, for `eachMessage` spans and per-message spans of `withMessageContext`. */
  readonly message: KafkaMessage | undefined;
  /** The batch, for the span around an `eachBatch` handler and its per-message spans. */
  readonly batch: Batch | undefined;
}

/**
 * Options of `instrumentKafka`, `instrumentProducer` and `instrumentConsumer`: every option of
 * `@tracehop/core` (`propagator`, `extract`, `inbound`, `baggage`, `spans`, `tracerProvider`,
 * `b3CanonicalCase`, `publishHook`, `consumeHook`, `batchSpans`), plus Kafka's own.
 */
export interface KafkaInstrumentationOptions
  extends TracehopClientOptions<KafkaPublishInfo, KafkaConsumeInfo>,
    BatchingOptions,
    ConsumerSamplingOptions {
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
