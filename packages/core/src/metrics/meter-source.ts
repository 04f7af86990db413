import type { Histogram, Meter, MeterProvider } from '@opentelemetry/api';
import { diag, metrics } from '@opentelemetry/api';
import {
  DURATION_BUCKETS,
  METRIC_MESSAGING_CLIENT_CONSUMED_MESSAGES,
  METRIC_MESSAGING_CLIENT_OPERATION_DURATION,
  METRIC_MESSAGING_CLIENT_SENT_MESSAGES,
  METRIC_MESSAGING_PROCESS_DURATION,
  METRIC_TRACEHOP_MESSAGING_WAIT_DURATION,
  UNIT_MESSAGES,
  UNIT_SECONDS,
  WAIT_BUCKETS,
} from './metric-definitions.js';
import { LocalCounter, type MessageCounter } from './local-counter.js';

/** The instruments of one wrapper, made from one meter. */
export interface MessagingInstruments {
  readonly operationDuration: Histogram;
  readonly sentMessages: MessageCounter;
  readonly consumedMessages: MessageCounter;
  readonly processDuration: Histogram;
  readonly waitDuration: Histogram;
}

/** Names the meter (the instrumentation scope), as the tracer is named. */
export interface MeterScope {
  readonly name: string;
  readonly version: string;
}

/**
 * The API's no-op meter, which every provider-less lookup returns (and an SDK provider after
 * shutdown). Compared by class name too: the API's ESM and CJS builds each have their own.
 */
function isNoopMeter(meter: Meter): boolean {
  try {
    return meter.constructor?.name === 'NoopMeter';
  } catch {
    return false;
  }
}

function createInstruments(meter: Meter): MessagingInstruments {
  const seconds = (name: string, description: string, buckets: readonly number[]): Histogram =>
    meter.createHistogram(name, { description, unit: UNIT_SECONDS, advice: { explicitBucketBoundaries: [...buckets] } });
  const messages = (name: string, description: string): MessageCounter => new LocalCounter(meter, name, { description, unit: UNIT_MESSAGES });
  return {
    operationDuration: seconds(
      METRIC_MESSAGING_CLIENT_OPERATION_DURATION,
      'Duration of messaging operation initiated by a producer or consumer client.',
      DURATION_BUCKETS,
    ),
    sentMessages: messages(METRIC_MESSAGING_CLIENT_SENT_MESSAGES, 'Number of messages producer attempted to send to the broker.'),
    consumedMessages: messages(METRIC_MESSAGING_CLIENT_CONSUMED_MESSAGES, 'Number of messages that were delivered to the application.'),
    processDuration: seconds(METRIC_MESSAGING_PROCESS_DURATION, 'Duration of processing operation.', DURATION_BUCKETS),
    waitDuration: seconds(
      METRIC_TRACEHOP_MESSAGING_WAIT_DURATION,
      'Time a message waited between the timestamp it carries and the start of its processing (clocks of two hosts).',
      WAIT_BUCKETS,
    ),
  };
}

/**
 * Where one wrapper's metrics go: the `meterProvider` option, or the global MeterProvider as
 * it is when used. The API hands out the registered provider, or a no-op one, and no proxy
 * (unlike tracing): instruments made before an SDK starts would stay no-ops for good. So the
 * provider is looked up on every use and the instruments made again whenever its identity
 * changes — between changes one lookup and one comparison, the same idea as
 * `PropagationSource`. With nothing registered, `current()` gives undefined, and callers then
 * build no attributes and read no clock.
 */
export class MeterSource {
  readonly #scope: MeterScope;
  readonly #fixed: MeterProvider | undefined;
  #provider: MeterProvider | undefined;
  #instruments: MessagingInstruments | undefined;

  constructor(scope: MeterScope, provider?: MeterProvider) {
    this.#scope = scope;
    this.#fixed = provider;
  }

  /** The instruments to record with now, or undefined when nothing would receive them. */
  current(): MessagingInstruments | undefined {
    const provider = this.#fixed ?? metrics.getMeterProvider();
    if (provider === this.#provider) return this.#instruments;
    this.#provider = provider;
    return (this.#instruments = this.#acquire(provider));
  }

  #acquire(provider: MeterProvider): MessagingInstruments | undefined {
    try {
      const meter = provider.getMeter(this.#scope.name, this.#scope.version);
      return isNoopMeter(meter) ? undefined : createInstruments(meter);
    } catch (error) {
      diag.error('tracehop: could not create the messaging metrics instruments; no metrics are recorded', error);
      return undefined;
    }
  }
}
