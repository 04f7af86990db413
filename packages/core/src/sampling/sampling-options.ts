/** Options of backlog-aware sampling, per consumer (docs/sampling.md). */
export interface BacklogSamplingOptions {
  /**
   * The consumer's capacity, in messages: the backlog at which the rule
   * `r = 1 − 0.9 × backlog / capacity` has fallen to 0.1. Required.
   */
  capacity: number;
  /** The floor of the rate: even a flooded consumer traces this fraction. Default: 0.01. */
  min?: number;
  /**
   * How often, at most, the broker is asked for the backlog where it must be asked (RabbitMQ
   * `checkQueue` on a channel of its own, nsqd's `/stats`); Kafka's lag comes free with every
   * fetched batch. Between two answers each delivery counts one message off. Default: 1000 ms.
   */
  pollIntervalMs?: number;
  /**
   * Your own measure of the backlog (messages), asked at the poll interval instead of the
   * broker. Return undefined when unknown.
   */
  backlog?: () => number | undefined;
}

/** The `sampling` option of consumer wrappers and instrumentations. Off by default. */
export interface SamplingOptions {
  /** Trace fewer messages the deeper the backlog; every message still carries its context. */
  backlog?: BacklogSamplingOptions;
}

/** `sampling.backlog`, validated. */
export interface ResolvedBacklogSampling {
  readonly capacity: number;
  readonly min: number;
  readonly pollIntervalMs: number;
  readonly backlog: (() => number | undefined) | undefined;
}

function fail(message: string): never {
  throw new TypeError(`tracehop: \`sampling.backlog\`: ${message}`);
}

/** Validates the `sampling` option (a TypeError at wrap time); undefined when sampling is off. */
export function resolveSampling(option: unknown): ResolvedBacklogSampling | undefined {
  if (option === undefined) return undefined;
  if (typeof option !== 'object' || option === null) throw new TypeError('tracehop: `sampling` must be an object');
  const backlog = (option as SamplingOptions).backlog;
  if (backlog === undefined) return undefined;
  if (typeof backlog !== 'object' || backlog === null) fail('must be an object with a capacity');
  const { capacity, min = 0.01, pollIntervalMs = 1000, backlog: measure } = backlog;
  if (typeof capacity !== 'number' || !Number.isFinite(capacity) || capacity <= 0) fail('`capacity` must be a positive number of messages');
  if (typeof min !== 'number' || !(min >= 0 && min <= 1)) fail('`min` must be a number from 0 to 1');
  if (typeof pollIntervalMs !== 'number' || !(pollIntervalMs >= 10) || !Number.isFinite(pollIntervalMs)) fail('`pollIntervalMs` must be at least 10');
  if (measure !== undefined && typeof measure !== 'function') fail('`backlog` must be a function');
  return { capacity, min, pollIntervalMs, backlog: measure };
}

/** Options of the consumer wrappers that can sample by backlog. */
export interface ConsumerSamplingOptions {
  /**
   * Backlog-aware sampling: the deeper the backlog, the fewer messages get spans, each kept or
   * skipped by its trace id; skipped messages still carry their context (docs/sampling.md).
   * Default: off.
   */
  sampling?: SamplingOptions;
}
