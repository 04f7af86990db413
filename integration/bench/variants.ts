import type { Attribution } from './cpu-profile.js';

/**
 * What runs in a benchmark: the raw client; the raw client under the OpenTelemetry context
 * manager alone (`raw-context`: what any tracing setup runs, and what propagate-only mode
 * needs to carry a context across a handler's awaits), a reference that separates the context
 * manager's cost from tracehop's; tracehop in two modes; the official instrumentation. The
 * `-metrics` variants run the same with an SDK MeterProvider registered, so that metrics are
 * recorded (tracehop's and, for `official-metrics`, the official instrumentation's own);
 * `tracehop-metrics` is propagate-only plus metrics: the cost of metrics alone.
 * `tracehop-instrumentation` is `tracehop-spans` through the other door: the app wraps
 * nothing, the drop-in instrumentation (registered before the client library is loaded)
 * traces every client it creates — its per-message cost, side by side with the wrappers'.
 * `handrolled` is the floor a careful user would write by hand (issue 18): the stock W3C
 * propagators registered as NodeSDK registers them, one PRODUCER span per message injected
 * into its headers (NSQ: an envelope built with `encodeEnvelope`), one CONSUMER span per
 * message around the handler, ended at settlement. `raw-header` is the raw client under the
 * context manager carrying the same header bytes by hand (a fixed traceparent; NSQ: the
 * envelope, decoded on delivery): what propagate-only mode cannot avoid doing.
 */
export type Variant =
  | 'raw'
  | 'raw-context'
  | 'raw-header'
  | 'tracehop-nospans'
  | 'tracehop-metrics'
  | 'tracehop-spans'
  | 'tracehop-spans-metrics'
  | 'tracehop-instrumentation'
  | 'handrolled'
  | 'official'
  | 'official-metrics';

/** Variants run with an SDK MeterProvider registered. */
export const WITH_METRICS: readonly Variant[] = ['tracehop-metrics', 'tracehop-spans-metrics', 'official-metrics'];

/** What a pipeline wraps its clients with, for a variant. */
export function setupOf(variant: Variant): {
  tracehop: boolean;
  spans: boolean;
  official: boolean;
  instrumentation: boolean;
  handrolled: boolean;
  rawHeader: boolean;
} {
  return {
    handrolled: variant === 'handrolled',
    rawHeader: variant === 'raw-header',
    // The wrappers, called by the pipeline on the clients it creates.
    tracehop: variant.startsWith('tracehop-') && variant !== 'tracehop-instrumentation',
    spans: variant === 'tracehop-spans' || variant === 'tracehop-spans-metrics',
    instrumentation: variant === 'tracehop-instrumentation',
    official: variant === 'official' || variant === 'official-metrics',
  };
}
export type Broker = 'kafka' | 'rabbitmq' | 'nsq';

export const VARIANTS_BY_BROKER: Record<Broker, Variant[]> = {
  kafka: ['raw', 'raw-context', 'raw-header', 'tracehop-nospans', 'tracehop-metrics', 'tracehop-spans', 'tracehop-spans-metrics', 'tracehop-instrumentation', 'handrolled', 'official', 'official-metrics'],
  // instrumentation-amqplib records no metrics: official-metrics would measure nothing more.
  rabbitmq: ['raw', 'raw-context', 'raw-header', 'tracehop-nospans', 'tracehop-metrics', 'tracehop-spans', 'tracehop-spans-metrics', 'tracehop-instrumentation', 'handrolled', 'official'],
  // No official OpenTelemetry instrumentation exists for nsqjs.
  nsq: ['raw', 'raw-context', 'raw-header', 'tracehop-nospans', 'tracehop-metrics', 'tracehop-spans', 'tracehop-spans-metrics', 'tracehop-instrumentation', 'handrolled'],
};

export interface WorkerRequest {
  readonly broker: Broker;
  readonly variant: Variant;
  readonly messages: number;
  readonly size: number;
  /** Also report heap use after a warm-up and at the end (GC forced before each reading). */
  readonly memory?: boolean;
  /** Run the timed part under the CPU profiler and charge its samples to their owners (cpu-profile.ts). */
  readonly profile?: boolean;
}

export interface WorkerResult {
  readonly broker: Broker;
  readonly variant: Variant;
  readonly messages: number;
  readonly seconds: number;
  readonly perSecond: number;
  /**
   * CPU time (user + system) of this process per message during the timed run, in µs: what
   * the client side costs, much less sensitive than msg/s to other load on a shared machine.
   */
  readonly cpuMicrosPerMessage: number;
  readonly spans: number;
  readonly heapAfterWarmupBytes?: number;
  readonly heapAfterRunBytes?: number;
  readonly attribution?: Attribution;
}

/** A broker's rows of the floor comparison (issue 18), from any part's rows. */
export function floorRowsOf<R extends { readonly broker: string; readonly variant: string }>(rows: readonly R[], broker: string) {
  const find = (variant: Variant) => rows.find((row) => row.broker === broker && row.variant === variant);
  return {
    floor: find('handrolled'),
    spans: find('tracehop-spans'),
    instrumentation: find('tracehop-instrumentation'),
    header: find('raw-header'),
    nospans: find('tracehop-nospans'),
  };
}
