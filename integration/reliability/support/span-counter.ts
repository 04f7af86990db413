// A span processor for long runs: counts spans started and ended, by name, and knows which
// are still open, without keeping finished spans (an exporter that keeps a million spans
// would be the leak). Tests wait on it, event-driven.
import type { Context } from '@opentelemetry/api';
import { BasicTracerProvider, type ReadableSpan, type Span, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { installContextManager } from '../../../packages/core/test/support/otel.js';

export class SpanCounter implements SpanProcessor {
  readonly open = new Set<Span>();
  readonly started = new Map<string, number>();
  readonly ended = new Map<string, number>();
  /** Ended spans with status ERROR, by span name, then `error.type`. */
  readonly errors = new Map<string, Map<string, number>>();
  readonly #waiters = new Set<() => void>();
  /** Finished spans kept for inspection, up to this many (0: none). */
  readonly #keep: number;
  readonly kept: ReadableSpan[] = [];

  constructor(keep = 0) {
    this.#keep = keep;
  }

  onStart(span: Span, _parent: Context): void {
    this.open.add(span);
    this.started.set(span.name, (this.started.get(span.name) ?? 0) + 1);
  }

  onEnd(span: ReadableSpan): void {
    this.open.delete(span as Span);
    this.ended.set(span.name, (this.ended.get(span.name) ?? 0) + 1);
    if (span.status.code === 2) {
      const type = String(span.attributes['error.type'] ?? 'unknown');
      const byType = this.errors.get(span.name) ?? new Map<string, number>();
      byType.set(type, (byType.get(type) ?? 0) + 1);
      this.errors.set(span.name, byType);
    }
    if (this.kept.length < this.#keep) this.kept.push(span);
    for (const wake of [...this.#waiters]) wake();
  }

  endedNamed(name: string): number {
    return this.ended.get(name) ?? 0;
  }

  /** `error.type` → count, for the ERROR spans named `name`. */
  errorsOf(name: string): Record<string, number> {
    return Object.fromEntries(this.errors.get(name) ?? []);
  }

  /** Resolves once `check` holds (re-checked at every span end). */
  waitFor(check: () => boolean): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        if (!check()) return;
        this.#waiters.delete(wake);
        resolve();
      };
      this.#waiters.add(wake);
    });
  }

  reset(): void {
    this.open.clear();
    this.started.clear();
    this.ended.clear();
    this.errors.clear();
    this.kept.length = 0;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** A tracer provider whose spans are all counted (and, up to `keep`, kept). */
export function countingProvider(keep = 0): { provider: BasicTracerProvider; counter: SpanCounter } {
  installContextManager();
  const counter = new SpanCounter(keep);
  return { provider: new BasicTracerProvider({ spanProcessors: [counter] }), counter };
}
