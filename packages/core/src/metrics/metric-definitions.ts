/**
 * The metrics tracehop records: the four of the OpenTelemetry messaging semantic conventions
 * (https://opentelemetry.io/docs/specs/semconv/messaging/messaging-metrics/) with their
 * names, instrument types, units and bucket advice, and one of tracehop's own. Kept as plain
 * constants, like `semconv.ts`, so no semconv package is needed at run time.
 */

/** Histogram, `s`: a send or a pull (`receive`), as long as its span (semconv "Common metrics"). */
export const METRIC_MESSAGING_CLIENT_OPERATION_DURATION = 'messaging.client.operation.duration';
/** Counter, `{message}`: messages a producer attempted to send (semconv "Producer metrics"). */
export const METRIC_MESSAGING_CLIENT_SENT_MESSAGES = 'messaging.client.sent.messages';
/** Counter, `{message}`: messages delivered to the application, once per delivery (semconv "Consumer metrics"). */
export const METRIC_MESSAGING_CLIENT_CONSUMED_MESSAGES = 'messaging.client.consumed.messages';
/** Histogram, `s`: a `process` operation, as long as its span (semconv "Consumer metrics"). */
export const METRIC_MESSAGING_PROCESS_DURATION = 'messaging.process.duration';
/**
 * Histogram, `s` — tracehop's own, not in the conventions: how long a message waited between
 * the timestamp it carries (set by the producer, or by the broker on arrival) and the start of
 * its processing (or its `receive`). Compares two hosts' clocks: see docs/semantics.md, "Metrics".
 */
export const METRIC_TRACEHOP_MESSAGING_WAIT_DURATION = 'tracehop.messaging.wait.duration';

/** Unit of the duration histograms (UCUM seconds). */
export const UNIT_SECONDS = 's';
/** Unit of the message counters (UCUM annotation). */
export const UNIT_MESSAGES = '{message}';

/**
 * `ExplicitBucketBoundaries` advice the conventions give both duration histograms
 * (messaging-metrics, `messaging.client.operation.duration` and `messaging.process.duration`).
 */
export const DURATION_BUCKETS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
]);

/**
 * Buckets of the waiting-time histogram: a backed-up queue is measured in minutes or hours,
 * not in the conventions' 10 s at most, so the same fine start runs on to an hour (and the
 * overflow bucket beyond).
 */
export const WAIT_BUCKETS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600,
]);
