// The one tracing harness of the integration suite: a real SDK tracer provider that records
// finished spans in memory, knows which spans are still open, and wakes whoever waits for
// spans (event-driven: the test timeout bounds every wait; nothing sleeps).
import type { Context } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type Span,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { installContextManager } from '../../packages/core/test/support/otel.js';

export { installContextManager, parentSpanId } from '../../packages/core/test/support/otel.js';

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
  /** Resolves once `count` spans named `name` have ended. */
  waitForSpans(name: string, count: number): Promise<ReadableSpan[]>;
  /** Resolves once `check` holds, re-checked whenever a span ends. */
  waitUntil(check: () => boolean): Promise<void>;
  reset(): void;
}

/** A fresh provider (not registered globally unless `register` is called on it). */
export function createTracing(extraProcessors: SpanProcessor[] = []): Tracing {
  installContextManager();
  const exporter = new InMemorySpanExporter();
  const watch = new SpanWatch();
  // The watch comes after the exporter's processor: when it wakes a waiter, the span is exported.
  const provider = new BasicTracerProvider({ spanProcessors: [...extraProcessors, new SimpleSpanProcessor(exporter), watch] });
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
    waitUntil: (check) => watch.wait(check),
    reset: () => {
      exporter.reset();
      watch.open.clear();
    },
  };
}
