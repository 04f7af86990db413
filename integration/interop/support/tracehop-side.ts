import type { SpanContext } from '@opentelemetry/api';
import { context, propagation, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { TracehopOptions } from '@tracehop/core';

/** tracehop's side of an interop test, for one broker, through the adapter's public API. */
export interface TracehopSide {
  readonly broker: 'kafka' | 'rabbitmq' | 'nsq';
  /** Flags that point a peer at the same broker. */
  readonly peerFlags: readonly string[];
  /** Creates a destination (a Kafka topic, a RabbitMQ queue; NSQ topics appear on use). */
  prepare(destination: string): Promise<void>;
  /**
   * Publishes one message through an instrumented producer, in the active context, and
   * resolves once the broker has it, with the PRODUCER span whose context the message carries.
   */
  publish(destination: string, body: string, options: TracehopOptions): Promise<SpanContext>;
  /**
   * Starts an instrumented consumer. `onMessage` runs inside the handler, in the message's
   * restored context (to republish, for instance), before the message is settled.
   */
  consume(destination: string, options: TracehopOptions, count: number, onMessage?: OnMessage): Promise<Consuming>;
  /** Disconnects every client and deletes the destinations this side made. */
  close(): Promise<void>;
}

/** What tracehop's consumer saw while handling one message. */
export interface Received {
  readonly body: string;
  /** The active span in the handler: tracehop's `process` span. */
  readonly span: SpanContext | undefined;
  /** That span's parent, as the SDK recorded it. */
  readonly parent: SpanContext | undefined;
  /** The baggage active in the handler. */
  readonly baggage: Readonly<Record<string, string>>;
}

/** Work done inside tracehop's handler, in the message's context. */
export type OnMessage = (received: Received) => Promise<void>;

export interface Consuming {
  /** The first `count` messages, in arrival order; fails after `timeoutMs`. */
  received(timeoutMs?: number): Promise<Received[]>;
}

/** Reads what the handler sees, from the active context. */
export function captureActive(body: string): Received {
  const span = trace.getActiveSpan();
  const baggage = propagation.getBaggage(context.active());
  return {
    body,
    span: span?.spanContext(),
    parent: (span as unknown as Partial<ReadableSpan> | undefined)?.parentSpanContext,
    baggage: Object.fromEntries((baggage?.getAllEntries() ?? []).map(([key, entry]) => [key, entry.value])),
  };
}

/**
 * Collects handled messages until `count` arrived. A handler failure is kept and reported by
 * `received`, so that a broken handler fails the test with its own error, not a timeout.
 */
export class Collector implements Consuming {
  readonly #items: Received[] = [];
  #failure: unknown;
  #wake: (() => void) | undefined;
  constructor(private readonly count: number) {}

  add(item: Received): void {
    this.#items.push(item);
    this.#wake?.();
  }

  fail(error: unknown): void {
    this.#failure ??= error;
    this.#wake?.();
  }

  received(timeoutMs = 45_000): Promise<Received[]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`tracehop's consumer got ${this.#items.length} of ${this.count} messages in ${timeoutMs / 1000} s`)),
        timeoutMs,
      );
      const check = () => {
        if (this.#failure !== undefined) reject(this.#failure instanceof Error ? this.#failure : new Error(String(this.#failure)));
        else if (this.#items.length >= this.count) resolve(this.#items.slice(0, this.count));
        else return;
        clearTimeout(timer);
        this.#wake = undefined;
      };
      this.#wake = check;
      check();
    });
  }
}

const objectIds = new WeakMap<object, number>();
let nextObjectId = 0;

/**
 * A key that names a set of options: plain values as they are, objects (a tracer provider, a
 * propagator) by identity. A client is wrapped once, with its first options, so a test that
 * publishes with several sets keeps one traced client per key.
 */
export function optionsKey(options: object): string {
  return JSON.stringify(Object.entries(options).map(([name, value]) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return [name, value];
    let id = objectIds.get(value);
    if (id === undefined) objectIds.set(value, (id = nextObjectId++));
    return [name, `#${id}`];
  }));
}
