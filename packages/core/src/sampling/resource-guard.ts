import { diag } from '@opentelemetry/api';
import { PerformanceObserver, constants, performance, type EventLoopUtilization } from 'node:perf_hooks';
import { shared } from '../kernel/process-state.js';

/** When the process counts as under pressure (docs/sampling.md, "The resource guard"). */
export interface GuardThresholds {
  /** Event-loop utilisation at or above this … */
  readonly eventLoopUtilization: number;
  /** … for this long trips the guard. */
  readonly eventLoopWindowMs: number;
  /** This many major GCs … */
  readonly majorGcs: number;
  /** … within this window trip it. */
  readonly gcWindowMs: number;
  /** Span export slower than this at p99 (over the last 100 exports) trips it. */
  readonly exportP99Ms: number;
  /** How often the event loop is sampled. */
  readonly sampleIntervalMs: number;
}

export const DEFAULT_GUARD_THRESHOLDS: GuardThresholds = Object.freeze({
  eventLoopUtilization: 0.85,
  eventLoopWindowMs: 30_000,
  majorGcs: 3,
  gcWindowMs: 60_000,
  exportP99Ms: 5_000,
  sampleIntervalMs: 1_000,
});

const EXPORTS_KEPT = 100;

/**
 * Watches the process for pressure while at least one consumer samples by backlog: event-loop
 * utilisation (sampled on an unref'd timer), major GCs (a `gc` PerformanceObserver), and span
 * export latency (reported by `measureExports`). `tripped` is a plain field, read per message.
 * One guard per process (shared by every copy of tracehop), and nothing runs while no
 * consumer uses it.
 */
export class ResourceGuard {
  tripped = false;
  #thresholds: GuardThresholds = DEFAULT_GUARD_THRESHOLDS;
  #users = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #observer: PerformanceObserver | undefined;
  #lastElu: EventLoopUtilization | undefined;
  #busySince: number | undefined;
  #eventLoopTripped = false;
  readonly #majorGcAt: number[] = [];
  readonly #exportMs: number[] = [];

  get thresholds(): GuardThresholds {
    return this.#thresholds;
  }

  /** Changes the thresholds (for tuning, and for tests that cannot wait 30 s). */
  configure(thresholds: Partial<GuardThresholds>): void {
    this.#thresholds = { ...this.#thresholds, ...thresholds };
    if (this.#timer !== undefined) {
      this.#stop();
      this.#start();
    }
  }

  /** A consumer starts sampling by backlog: monitoring runs while there is one. */
  retain(): void {
    if (this.#users++ === 0) this.#start();
  }

  release(): void {
    if (this.#users > 0 && --this.#users === 0) this.#stop();
  }

  /** One span export took `ms` (see `measureExports`). */
  recordExport(ms: number): void {
    this.#exportMs.push(ms);
    if (this.#exportMs.length > EXPORTS_KEPT) this.#exportMs.shift();
    this.#update();
  }

  #start(): void {
    this.#lastElu = performance.eventLoopUtilization();
    this.#timer = setInterval(() => this.#sampleEventLoop(), this.#thresholds.sampleIntervalMs);
    this.#timer.unref?.();
    try {
      this.#observer = new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
          if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) this.#majorGcAt.push(performance.now());
        }
        this.#update();
      });
      this.#observer.observe({ entryTypes: ['gc'] });
    } catch (error) {
      diag.debug('tracehop: cannot observe garbage collections; the guard watches the event loop and exports only', error);
    }
  }

  #stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#observer?.disconnect();
    this.#observer = undefined;
    this.#busySince = undefined;
    this.#eventLoopTripped = false;
    this.#update();
  }

  #sampleEventLoop(): void {
    const now = performance.now();
    const elu = performance.eventLoopUtilization(this.#lastElu);
    this.#lastElu = performance.eventLoopUtilization();
    if (elu.utilization >= this.#thresholds.eventLoopUtilization) this.#busySince ??= now - elu.active - elu.idle;
    else this.#busySince = undefined;
    this.#eventLoopTripped = this.#busySince !== undefined && now - this.#busySince >= this.#thresholds.eventLoopWindowMs;
    this.#update();
  }

  #update(): void {
    const now = performance.now();
    const gcs = this.#majorGcAt;
    while (gcs.length > 0 && now - gcs[0]! > this.#thresholds.gcWindowMs) gcs.shift();
    this.tripped = this.#eventLoopTripped || gcs.length >= this.#thresholds.majorGcs || this.#exportP99() > this.#thresholds.exportP99Ms;
  }

  #exportP99(): number {
    if (this.#exportMs.length === 0) return 0;
    const sorted = [...this.#exportMs].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]!;
  }
}

/** The process's one resource guard. */
export const resourceGuard: ResourceGuard = shared('resource-guard', () => new ResourceGuard());
