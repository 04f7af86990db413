import type { Attributes } from '@opentelemetry/api';
import { diag } from '@opentelemetry/api';
import { errorType } from '../errors.js';
import { ATTR_ERROR_TYPE, ATTR_MESSAGING_OPERATION_TYPE } from '../semconv.js';
import type { MessagingInstruments, MeterSource } from './meter-source.js';

/**
 * Recording of the messaging metrics, for every adapter: adapters say what was done (the
 * attributes, how many messages, when a message was published) and core measures and records.
 * Durations are `performance.now()` deltas (monotonic), in seconds; nothing here throws.
 */

/** Messages of one publish call that share their `messaging.client.sent.messages` attributes. */
export interface SentMessages {
  readonly count: number;
  readonly attributes: Attributes;
}

/** What a publish call is, for its metrics; asked for only when metrics are recorded. */
export interface PublishMetricsInit {
  /** The attributes of its `messaging.client.operation.duration` (`error.type` is added on failure). */
  readonly operation: Attributes;
  /**
   * Its messages, grouped by attributes (a Kafka `sendBatch` to several topics). Default: all
   * of the call's messages with `operation`'s attributes, less `messaging.operation.type`,
   * which the conventions do not list for the counter.
   */
  readonly sent?: readonly SentMessages[];
}

function seconds(start: number): number {
  return (performance.now() - start) / 1000;
}

function withError(attributes: Attributes, type: string | undefined): Attributes {
  return type === undefined ? attributes : { ...attributes, [ATTR_ERROR_TYPE]: type };
}

function typeOf(error: unknown): string | undefined {
  return error === undefined || error === null ? undefined : errorType(error);
}

function safely(work: () => void): void {
  try {
    work();
  } catch (error) {
    diag.error('tracehop: could not record messaging metrics', error);
  }
}

/** The attributes of the sent-messages counter that the operation's attributes imply. */
export function sentAttributes(operation: Attributes): Attributes {
  // Copied key by key rather than spread and `delete`d: a delete sends the object down V8's
  // dictionary path (~1.7 µs here, and again each time the SDK hashes it).
  const attributes: Attributes = {};
  for (const key in operation) if (key !== ATTR_MESSAGING_OPERATION_TYPE) attributes[key] = operation[key];
  return attributes;
}

/** Whether metrics are being recorded now (an SDK or a `meterProvider` is there, and `metrics` is on). */
export function metricsActive(source: MeterSource | undefined): boolean {
  return source?.current() !== undefined;
}

/**
 * One client operation being timed (a send, a pull): started where its span starts, ended
 * where its span ends, so that the two agree (semconv: "the metric value SHOULD be the same
 * as the corresponding span duration").
 */
export class OperationMeasure {
  readonly #instruments: MessagingInstruments;
  readonly #start: number;
  #ended = false;

  private constructor(instruments: MessagingInstruments) {
    this.#instruments = instruments;
    this.#start = performance.now();
  }

  /** Starts timing, or gives undefined (no clock read) when no metrics are recorded. */
  static start(source: MeterSource | undefined): OperationMeasure | undefined {
    const instruments = source?.current();
    return instruments === undefined ? undefined : new OperationMeasure(instruments);
  }

  /**
   * A publish call ended: its duration, and — when the messages reached the client library
   * (`attempted`) — its messages. Messages that never left (a call refused before the client
   * was called) are not counted (semconv: "MUST NOT count messages that were created but
   * haven't yet been sent").
   */
  published(init: PublishMetricsInit, count: number, error: unknown, attempted: boolean): void {
    if (this.#ended) return;
    this.#ended = true;
    safely(() => {
      const type = typeOf(error);
      this.#instruments.operationDuration.record(seconds(this.#start), withError(init.operation, type));
      if (!attempted) return;
      const groups = init.sent ?? [{ count, attributes: sentAttributes(init.operation) }];
      for (const group of groups) if (group.count > 0) this.#instruments.sentMessages.add(group.count, withError(group.attributes, type));
    });
  }

  /**
   * A pull ended (`receive`): its duration, with `operation`'s attributes, and the `count`
   * messages it delivered, with `consumed`'s (semconv: counted once per delivery, at receive).
   */
  received(operation: Attributes, consumed: Attributes, count: number, error: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    safely(() => {
      const type = typeOf(error);
      this.#instruments.operationDuration.record(seconds(this.#start), withError(operation, type));
      if (count > 0) this.#instruments.consumedMessages.add(count, withError(consumed, type));
    });
  }

  /** How long a message waited before this operation got it (see `recordWait`). */
  waited(attributes: Attributes, publishedAt: number | undefined): void {
    recordWait(this.#instruments, attributes, publishedAt);
  }
}

/**
 * Records `tracehop.messaging.wait.duration`: from `publishedAt` (ms since the epoch, the
 * timestamp the message carries) to now. The two readings come from different hosts' clocks;
 * a message that seems to come from the future (the producer's clock is ahead) is recorded as
 * having waited 0 s rather than dropped, so that counts stay whole.
 */
function recordWait(instruments: MessagingInstruments, attributes: Attributes, publishedAt: number | undefined): void {
  if (publishedAt === undefined || !Number.isFinite(publishedAt) || publishedAt <= 0) return;
  safely(() => instruments.waitDuration.record(Math.max(0, (Date.now() - publishedAt) / 1000), attributes));
}

/** What a `process` operation is, for its metrics. */
export interface ProcessMeasureInit {
  /** The attributes of its `messaging.process.duration` and `messaging.client.consumed.messages`. */
  readonly attributes: () => Attributes;
  /** How many messages it processes (a batch). Default: 1. */
  readonly count?: number;
}

/**
 * One `process` operation being timed: started with its span, ended with it (at the handler's
 * end, or at the message's settlement). Its messages are counted once, when it ends, with its
 * `error.type` if it failed — one delivery, one count, as the conventions ask; a batch counts
 * all of its messages and records one duration, the batch span's (semconv: the metric is the
 * process span's duration, and a batch is processed in one span).
 */
export class ProcessMeasure {
  readonly #instruments: MessagingInstruments;
  readonly #attributes: Attributes;
  readonly #count: number;
  readonly #start: number;
  #ended = false;

  private constructor(instruments: MessagingInstruments, attributes: Attributes, count: number) {
    this.#instruments = instruments;
    this.#attributes = attributes;
    this.#count = count;
    this.#start = performance.now();
  }

  /** Starts timing, or gives undefined (no attributes built, no clock read) when no metrics are recorded. */
  static start(source: MeterSource | undefined, init: ProcessMeasureInit): ProcessMeasure | undefined {
    const instruments = source?.current();
    if (instruments === undefined) return undefined;
    try {
      return new ProcessMeasure(instruments, init.attributes(), init.count ?? 1);
    } catch (error) {
      diag.error('tracehop: could not start the metrics of a message', error);
      return undefined;
    }
  }

  /** A message of this operation carried `publishedAt` (ms since the epoch): how long it waited. */
  waited(publishedAt: number | undefined): void {
    recordWait(this.#instruments, this.#attributes, publishedAt);
  }

  /** The operation ended; `error` (or an `error.type` already worked out) when it failed. */
  end(error?: unknown): void {
    this.endWithType(typeOf(error));
  }

  /** The operation ended with `error.type` `type` (undefined: it succeeded). Only the first end counts. */
  endWithType(type: string | undefined): void {
    if (this.#ended) return;
    this.#ended = true;
    safely(() => {
      const attributes = withError(this.#attributes, type);
      this.#instruments.processDuration.record(seconds(this.#start), attributes);
      this.#instruments.consumedMessages.add(this.#count, attributes);
    });
  }
}
