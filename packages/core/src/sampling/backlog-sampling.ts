import type { Attributes } from '@opentelemetry/api';
import { diag } from '@opentelemetry/api';
import type { InboundContext } from '../kernel/inbound-policy.js';
import { GUARD_CAP, PRESSURE_LEVEL, backlogRate, pressureOf, type PressureState } from './backlog-rule.js';
import { registerSampling, unregisterSampling } from './sampling-registry.js';
import { resourceGuard } from './resource-guard.js';
import type { ResolvedBacklogSampling } from './sampling-options.js';
import { keepsTrace } from './trace-id-decision.js';

export const ATTR_SAMPLING_RATE = 'tracehop.sampling.rate';
export const ATTR_SAMPLING_BACKLOG = 'tracehop.sampling.backlog';
export const ATTR_SAMPLING_PRESSURE = 'tracehop.sampling.pressure';

/**
 * Backlog-aware sampling for one consumer: its backlog as last reported by the adapter (Kafka
 * lag, RabbitMQ queue depth, nsqd channel depth), the rate the rule gives for it (capped while
 * the resource guard is tripped), and the decision per message — by trace id, so that every
 * consumer of a trace under the same pressure keeps or skips it alike. A skipped message runs
 * in propagate-only mode: no span, its context still active and carried on.
 */
export class BacklogSampling {
  readonly #options: ResolvedBacklogSampling;
  readonly label: string;
  #backlog = 0;
  #rate = 1;
  #guardSeen = false;
  #state: PressureState = 'normal';
  #closed = false;
  #measured = false;

  constructor(options: ResolvedBacklogSampling, label: string) {
    this.#options = options;
    this.label = label;
    resourceGuard.retain();
    registerSampling(this);
  }

  get options(): ResolvedBacklogSampling {
    return this.#options;
  }

  /** The backlog last reported, in messages. */
  get backlog(): number {
    return this.#backlog;
  }

  /** The fraction of messages traced now. */
  get rate(): number {
    const tripped = resourceGuard.tripped;
    if (tripped !== this.#guardSeen) {
      this.#guardSeen = tripped;
      this.#updateState();
    }
    return tripped ? Math.min(this.#rate, GUARD_CAP) : this.#rate;
  }

  get state(): PressureState {
    void this.rate;
    return this.#state;
  }

  /** The adapter measured the backlog. */
  report(backlog: number): void {
    if (!Number.isFinite(backlog)) return;
    this.#measured = true;
    this.#backlog = Math.max(0, backlog);
    this.#rate = backlogRate(this.#backlog, this.#options.capacity, this.#options.min);
    this.#updateState();
  }

  /** Whether any backlog was reported yet (before that, the rate is 1). */
  get measured(): boolean {
    return this.#measured;
  }

  /**
   * A message was delivered: one less waiting, until the next measurement of the broker says
   * otherwise. A backlog the application measures itself (`sampling.backlog.backlog`) is taken
   * as it is.
   */
  delivered(): void {
    if (this.#backlog > 0 && this.#options.backlog === undefined) this.report(this.#backlog - 1);
  }

  /** Whether this message gets spans (every message keeps its context either way). */
  decide(inbound: InboundContext): boolean {
    return keepsTrace(inbound.spanContext?.traceId, this.rate);
  }

  /** The attributes of a kept span: the rate it was kept at, the backlog, the pressure. */
  attributes(): Attributes {
    const rate = this.rate;
    return { [ATTR_SAMPLING_RATE]: rate, [ATTR_SAMPLING_BACKLOG]: this.#backlog, [ATTR_SAMPLING_PRESSURE]: this.#state };
  }

  /** The consumer closed: the guard stops watching for it. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    unregisterSampling(this);
    resourceGuard.release();
  }

  /** The numeric pressure level, for the gauge. */
  get level(): number {
    return PRESSURE_LEVEL[this.state];
  }

  #updateState(): void {
    const state = pressureOf(this.#backlog, this.#options.capacity, this.#guardSeen);
    if (state === this.#state) return;
    this.#state = state;
    // Logged once on each change: how an on-call engineer sees why traces thinned out.
    diag.info(
      `tracehop: ${this.label}: pressure ${state} (backlog ${Math.round(this.#backlog)} of capacity ${this.#options.capacity}` +
        `${this.#guardSeen ? ', resource guard tripped' : ''}); tracing ${(this.rate * 100).toFixed(1)} % of messages`,
    );
  }
}
