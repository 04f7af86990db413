// Shared by the @tracehop/amqplib integration tests: a tracer provider that records finished
// spans and knows which are still open, unique names, and small event-driven waits (no sleeps).
import { randomUUID } from 'node:crypto';
import type { Context } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type Span,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { inject } from 'vitest';
import { installContextManager } from '../../packages/core/test/support/otel.js';

export { parentSpanId } from '../../packages/core/test/support/otel.js';

export const amqpUrl = (): string => inject('brokers').amqpUrl;

/** A queue or exchange name no other test (or test run) uses. */
export const uniqueName = (what: string): string => `tracehop-amqplib-${what}-${randomUUID()}`;

/** Tracks started spans until they end, and wakes up whoever waits for finished spans. */
class SpanWatch implements SpanProcessor {
  readonly open = new Set<Span>();
  readonly #waiters = new Set<() => void>();

  onStart(span: Span, _parent: Context): void {
    this.open.add(span);
  }

  onEnd(span: ReadableSpan): void {
    this.open.delete(span as Span);
    for (const wake of [...this.#waiters]) wake();
  }

  wait(check: () => boolean): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        if (!check()) return;
        this.#waiters.delete(wake);
        resolve();
      };
      this.#waiters.add(wake);
    });
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export interface Tracing {
  readonly provider: BasicTracerProvider;
  /** Finished spans, oldest first. */
  spans(): ReadableSpan[];
  spansNamed(name: string): ReadableSpan[];
  /** How many spans were started and have not ended. */
  openSpans(): number;
  /** Resolves once `count` spans named `name` have ended (event-driven; the test timeout bounds it). */
  waitForSpans(name: string, count: number): Promise<ReadableSpan[]>;
  reset(): void;
}

export function createTracing(): Tracing {
  installContextManager();
  const exporter = new InMemorySpanExporter();
  const watch = new SpanWatch();
  // The watch comes after the exporter's processor: when it wakes a waiter, the span is exported.
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter), watch] });
  const spansNamed = (name: string) => exporter.getFinishedSpans().filter((span) => span.name === name);
  return {
    provider,
    spans: () => exporter.getFinishedSpans(),
    spansNamed,
    openSpans: () => watch.open.size,
    async waitForSpans(name, count) {
      await watch.wait(() => spansNamed(name).length >= count);
      return spansNamed(name);
    },
    reset: () => {
      exporter.reset();
      watch.open.clear();
    },
  };
}

/** A promise with its resolve function, for handlers that signal the test. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Collects `count` deliveries (nulls excluded) and resolves with them. */
export function collector<M>(count: number): { add: (message: M) => void; all: Promise<M[]> } {
  const received: M[] = [];
  const done = deferred<M[]>();
  return {
    add(message) {
      received.push(message);
      if (received.length === count) done.resolve(received);
    },
    all: done.promise,
  };
}
