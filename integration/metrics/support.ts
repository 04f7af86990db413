// The metrics harness of integration/metrics: a real SDK MeterProvider with an in-memory
// reader (collect on demand), whose instruments also wake whoever waits for a recording
// (event-driven, like the tracing harness: the test timeout bounds every wait; nothing polls).
import type { Attributes, Counter, Histogram, Meter, MeterProvider, MetricOptions } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  MeterProvider as SdkMeterProvider,
  MetricReader,
  type DataPoint,
  type Histogram as HistogramValue,
  type MetricData,
} from '@opentelemetry/sdk-metrics';

/** A reader that exports nothing on its own: tests `collect()` when they want the numbers. */
class InMemoryReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** One point of one metric, as the SDK aggregated it. */
export interface Point {
  readonly name: string;
  readonly unit: string;
  readonly type: DataPointType;
  readonly attributes: Attributes;
  /** A counter's sum. */
  readonly sum: number;
  /** A histogram's count, min, max and bucket boundaries. */
  readonly count: number;
  readonly min: number | undefined;
  readonly max: number | undefined;
  readonly boundaries: number[];
}

function toPoint(metric: MetricData, point: DataPoint<unknown>): Point {
  const { descriptor } = metric;
  if (metric.dataPointType === DataPointType.HISTOGRAM) {
    const value = point.value as HistogramValue;
    return {
      name: descriptor.name,
      unit: descriptor.unit,
      type: metric.dataPointType,
      attributes: point.attributes,
      sum: value.sum ?? 0,
      count: value.count,
      min: value.min,
      max: value.max,
      boundaries: value.buckets.boundaries,
    };
  }
  return {
    name: descriptor.name,
    unit: descriptor.unit,
    type: metric.dataPointType,
    attributes: point.attributes,
    sum: point.value as number,
    count: 0,
    min: undefined,
    max: undefined,
    boundaries: [],
  };
}

export interface Metrics {
  /** Pass as `meterProvider`, or register globally. */
  readonly provider: MeterProvider;
  readonly sdk: SdkMeterProvider;
  /** Every point recorded so far (cumulative), of every tracehop scope. */
  points(): Promise<Point[]>;
  /** The points of metric `name` whose attributes include `match`. */
  pointsOf(name: string, match?: Attributes): Promise<Point[]>;
  /** Resolves once `recordings` values have been recorded in metric `name` (since creation). */
  waitForRecordings(name: string, recordings: number): Promise<void>;
  shutdown(): Promise<void>;
}

function includes(attributes: Attributes, match: Attributes): boolean {
  return Object.entries(match).every(([key, value]) => attributes[key] === value);
}

/** Wraps each instrument so that every recording wakes the waiters. */
function notifying(sdk: SdkMeterProvider, recorded: (name: string) => void): MeterProvider {
  const wrapMeter = (meter: Meter): Meter =>
    new Proxy(meter, {
      get(target, property, receiver) {
        if (property === 'createHistogram') {
          return (name: string, options?: MetricOptions): Histogram => {
            const histogram = target.createHistogram(name, options);
            return { record: (value, attributes, context) => (histogram.record(value, attributes, context), recorded(name)) };
          };
        }
        if (property === 'createCounter') {
          return (name: string, options?: MetricOptions): Counter => {
            const counter = target.createCounter(name, options);
            return { add: (value, attributes, context) => (counter.add(value, attributes, context), recorded(name)) };
          };
        }
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
  return { getMeter: (name, version, options) => wrapMeter(sdk.getMeter(name, version, options)) };
}

export function createMetrics(): Metrics {
  const reader = new InMemoryReader();
  const sdk = new SdkMeterProvider({ readers: [reader] });
  const recordings = new Map<string, number>();
  const waiters = new Set<() => void>();
  const provider = notifying(sdk, (name) => {
    recordings.set(name, (recordings.get(name) ?? 0) + 1);
    for (const wake of [...waiters]) wake();
  });
  const points = async (): Promise<Point[]> => {
    const { resourceMetrics } = await reader.collect();
    return resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics.flatMap((metric) => metric.dataPoints.map((point) => toPoint(metric, point))));
  };
  return {
    provider,
    sdk,
    points,
    async pointsOf(name, match = {}) {
      return (await points()).filter((point) => point.name === name && includes(point.attributes, match));
    },
    waitForRecordings(name, count) {
      const done = () => (recordings.get(name) ?? 0) >= count;
      if (done()) return Promise.resolve();
      return new Promise((resolve) => {
        const wake = (): void => {
          if (!done()) return;
          waiters.delete(wake);
          resolve();
        };
        waiters.add(wake);
      });
    },
    shutdown: () => sdk.shutdown(),
  };
}

/** The names tracehop records under. */
export const OPERATION_DURATION = 'messaging.client.operation.duration';
export const SENT = 'messaging.client.sent.messages';
export const CONSUMED = 'messaging.client.consumed.messages';
export const PROCESS_DURATION = 'messaging.process.duration';
export const WAIT_DURATION = 'tracehop.messaging.wait.duration';

/** The conventions' advice for both duration histograms. */
export const DURATION_BOUNDARIES = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
export const WAIT_BOUNDARIES = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

/** Waits `ms` on purpose: the delay a message spends in the broker, which the wait metric must show. */
export const hold = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
