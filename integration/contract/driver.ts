// What the adapter contract suite needs of a broker: a small driver per adapter. A new adapter
// joins the suite by providing one (see drivers/), and every scenario of contract.test.ts then
// runs against it on its real broker.
import type { TracerProvider } from '@opentelemetry/api';
import type { TracehopClientOptions } from '@tracehop/core';

/** The options every adapter takes (core's vocabulary). */
export type ContractOptions = TracehopClientOptions<unknown, unknown>;

/** A delivered message, as the traced consumer's handler saw it. */
export interface Delivery {
  readonly payload: string;
  /** Settles the message (ack / finish); for Kafka the handler's return settles it. */
  settle(): void;
}

/** The three adapter entry points of one tracehop build (source, or a dist build). */
export interface AdapterModule {
  readonly [name: string]: unknown;
}

export interface Pipe {
  /** Publishes one message through the traced producer, in the active context. */
  publish(payload: string, userHeaders?: Record<string, unknown>): Promise<void>;
  /**
   * Starts the traced consumer. `handler` runs for each message; returning a promise keeps a
   * Kafka message unsettled until it resolves. Call inside `context.with` to start it in an
   * ambient context.
   */
  consume(handler: (delivery: Delivery) => unknown): Promise<void>;
  /** The headers (for NSQ: the envelope's) that the next message published arrives with, read by a raw client. */
  captureRawHeaders(publish: () => Promise<void>): Promise<Record<string, string>>;
  /**
   * Wraps the raw clients again with another build of tracehop; true when every client came
   * back as the very wrapper it already had (one state per process).
   */
  rewrap(module: AdapterModule): boolean;
  /** Closes the consumer side while messages may be unsettled, then everything else. */
  close(): Promise<void>;
}

export interface AdapterDriver {
  readonly name: 'kafkajs' | 'amqplib' | 'nsqjs';
  /** Whether the broker's messages carry user headers (NSQ's do not). */
  readonly userHeaders: boolean;
  /** Whether a message stays unsettled after its handler returned (not Kafka's: the handler settles it). */
  readonly explicitSettlement: boolean;
  /** The process span's name for this pipe's destination. */
  processSpanName(pipe: Pipe): string;
  /**
   * Opens a pipe (connects producer and consumer clients, wrapped with `options` by `module`,
   * default the source build) on a destination of its own. Connecting happens in the active
   * context, so a test can connect inside an ambient context.
   */
  open(options: ContractOptions & { tracerProvider?: TracerProvider }, module?: AdapterModule): Promise<Pipe>;
  /** The package's name, to load its dist builds. */
  readonly packageName: string;
}
