// The one tracing harness of the integration suite: a real SDK tracer provider that records
// finished spans in memory, knows which spans are still open, and wakes whoever waits for
// spans (event-driven: the test timeout bounds every wait; nothing sleeps).
import type { Context } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type Sampler,
  type Span,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { installContextManager } from '../../packages/core/test/support/otel.js';

export { installContextManager, parentSpanId } from '../../packages/core/test/support/otel.js';

/**
 * Tracks started spans until they end, and wakes up whoever waits for finished spans. Long
 * runs that must not keep spans (reliability/support/span-counter.ts) extend it.
 */
export class SpanWatch implements SpanProcessor {
  readonly open = new Set<Span>();
  readonly #waiters = new Set<() => void>();

  onStart(span: Span, _parent: Context): void {
    this.open.add(span);
  }

  onEnd(span: ReadableSpan): void {
    this.open.delete(span as Span);
    this.wake();
  }

  /** Re-checks every waiter (called at every span end). */
  protected wake(): void {
    for (const wake of [...this.#waiters]) wake();
  }

  /** Resolves once `check` holds, re-checked at every span end. */
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
  readonly exporter: InMemorySpanExporter;
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

export interface TracingOptions {
  /** Processors that see every span before the harness does (a throwing one, in tests). */
  readonly processors?: SpanProcessor[];
  readonly sampler?: Sampler;
  /**
   * Keep spans that record but are not sampled too (a sampler deciding RECORD), as a test
   * of sampling decisions needs. Default: only sampled spans, as an exporter sees them.
   */
  readonly recordUnsampled?: boolean;
}

/** Hands every ended span to the exporter, sampled or not. */
class RecordAll implements SpanProcessor {
  constructor(private readonly exporter: InMemorySpanExporter) {}
  onStart(): void {}
  onEnd(span: ReadableSpan): void {
    this.exporter.export([span], () => undefined);
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** A fresh provider, not registered globally: pass it as `tracerProvider`. */
export function createTracing(options: TracingOptions | SpanProcessor[] = {}): Tracing {
  installContextManager();
  const { processors = [], sampler, recordUnsampled = false }: TracingOptions = Array.isArray(options) ? { processors: options } : options;
  const exporter = new InMemorySpanExporter();
  const watch = new SpanWatch();
  const recorder = recordUnsampled ? new RecordAll(exporter) : new SimpleSpanProcessor(exporter);
  // The watch comes after the exporter's processor: when it wakes a waiter, the span is exported.
  const provider = new BasicTracerProvider({ sampler, spanProcessors: [...processors, recorder, watch] });
  const spansNamed = (name: string) => exporter.getFinishedSpans().filter((span) => span.name === name);
  return {
    provider,
    exporter,
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
