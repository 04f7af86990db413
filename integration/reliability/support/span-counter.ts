// A span processor for long runs: counts spans started and ended, by name, and knows which
// are still open, without keeping finished spans (an exporter that keeps a million spans
// would be the leak). Tests wait on it, event-driven.
import type { Context } from '@opentelemetry/api';
import { BasicTracerProvider, type ReadableSpan, type Span } from '@opentelemetry/sdk-trace-base';
import { SpanWatch, installContextManager } from '../../support/tracing.js';

/** The shared harness's SpanWatch (open spans, event-driven waits), with counts instead of spans. */
export class SpanCounter extends SpanWatch {
  readonly started = new Map<string, number>();
  readonly ended = new Map<string, number>();
  /** Ended spans with status ERROR, by span name, then `error.type`. */
  readonly errors = new Map<string, Map<string, number>>();
  /** Finished spans kept for inspection, up to this many (0: none). */
  readonly #keep: number;
  readonly kept: ReadableSpan[] = [];

  constructor(keep = 0) {
    super();
    this.#keep = keep;
  }

  override onStart(span: Span, parent: Context): void {
    super.onStart(span, parent);
    this.started.set(span.name, (this.started.get(span.name) ?? 0) + 1);
  }

  override onEnd(span: ReadableSpan): void {
    this.open.delete(span as Span);
    this.ended.set(span.name, (this.ended.get(span.name) ?? 0) + 1);
    if (span.status.code === 2) {
      const type = String(span.attributes['error.type'] ?? 'unknown');
      const byType = this.errors.get(span.name) ?? new Map<string, number>();
      byType.set(type, (byType.get(type) ?? 0) + 1);
      this.errors.set(span.name, byType);
    }
    if (this.kept.length < this.#keep) this.kept.push(span);
    this.wake();
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
    return this.wait(check);
  }

  reset(): void {
    this.open.clear();
    this.started.clear();
    this.ended.clear();
    this.errors.clear();
    this.kept.length = 0;
  }
}

/** A tracer provider whose spans are all counted (and, up to `keep`, kept). */
export function countingProvider(keep = 0): { provider: BasicTracerProvider; counter: SpanCounter } {
  installContextManager();
  const counter = new SpanCounter(keep);
  return { provider: new BasicTracerProvider({ spanProcessors: [counter] }), counter };
}
