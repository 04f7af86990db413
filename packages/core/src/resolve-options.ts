import type { TextMapPropagator, Tracer } from '@opentelemetry/api';
import { trace } from '@opentelemetry/api';
import type { BaggagePolicy, BatchSpans, InboundPolicy, MessagingHook, TracehopClientOptions } from './options.js';
import type { OwnedHeaders } from './owned-headers.js';
import { MeterSource } from './metrics/meter-source.js';
import { gateResolvedOptions } from './instrumentation-gate.js';
import { PropagationSource } from './propagation-choice.js';
import type { PropagatorSettings } from './propagation/propagator-registry.js';
import { SemconvStability, type MessagingNames } from './semconv-stability.js';

/** The options of one wrapper, validated and with every default applied. */
export interface ResolvedOptions {
  /** The formats to write and read, chosen when used (see PropagationSource). */
  readonly propagation: PropagationSource;
  /** `propagation.current().injector`: what is written into outgoing messages now. */
  readonly injector: TextMapPropagator;
  /** `propagation.current().extractor`: what is read from incoming messages now. */
  readonly extractor: TextMapPropagator;
  /** `propagation.current().ownedHeaders`: every header either owns, cleared before inject. */
  readonly ownedHeaders: OwnedHeaders;
  readonly inbound: InboundPolicy;
  readonly baggage: BaggagePolicy;
  /** The tracer, or undefined in propagate-only mode (`spans: false`). */
  readonly tracer: Tracer | undefined;
  /** Where metrics go, looked up when used; undefined with `metrics: false`. */
  readonly metrics: MeterSource | undefined;
  readonly batchSpans: BatchSpans;
  readonly publishHook: MessagingHook<never> | undefined;
  readonly consumeHook: MessagingHook<never> | undefined;
  /**
   * The keys of the attributes semconv v1.45.0 renamed, per `OTEL_SEMCONV_STABILITY_OPT_IN`,
   * read on this client's first use and kept (semconv-stability.ts).
   */
  readonly semconv: MessagingNames;
}

/** Identifies the instrumentation that creates spans (the tracer's scope). */
export interface InstrumentationScope {
  readonly name: string;
  readonly version: string;
}

const INBOUND_POLICIES: readonly InboundPolicy[] = ['parent', 'link', 'ignore'];
const BATCH_SPANS: readonly BatchSpans[] = ['per-message', 'per-call'];

function validateBaggage(policy: unknown): BaggagePolicy {
  if (policy === undefined) return 'keep';
  if (policy === 'keep' || policy === 'drop') return policy;
  if (Array.isArray(policy) && policy.every((key) => typeof key === 'string')) return [...policy];
  throw new TypeError("tracehop: `baggage` must be 'keep', 'drop' or an array of baggage keys");
}

function validateInbound(policy: unknown): InboundPolicy {
  if (policy === undefined) return 'parent';
  if (INBOUND_POLICIES.includes(policy as InboundPolicy)) return policy as InboundPolicy;
  throw new TypeError("tracehop: `inbound` must be 'parent', 'link' or 'ignore'");
}

function validateBatchSpans(value: unknown): BatchSpans {
  if (value === undefined) return 'per-message';
  if (BATCH_SPANS.includes(value as BatchSpans)) return value as BatchSpans;
  throw new TypeError("tracehop: `batchSpans` must be 'per-message' or 'per-call'");
}

/** A hook option: a function, or nothing. */
export function validateHook<H>(value: unknown, name: string): H | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw new TypeError(`tracehop: \`${name}\` must be a function`);
  return value as H;
}

/**
 * Validates a wrapper's options (one vocabulary for every adapter: docs/propagation.md and
 * each README list them). Invalid options throw a TypeError here, at wrap time, never later
 * on a message's path. Nothing that depends on the SDK (formats, tracer) is fixed here:
 * formats are chosen when used, the default tracer comes from the global provider's proxy,
 * which follows an SDK registered later, and the meter provider is looked up when used.
 */
export function resolveOptions<P, C>(
  options: TracehopClientOptions<P, C> | undefined,
  scope: InstrumentationScope,
  watchEnvironment = false,
): ResolvedOptions {
  const opts: TracehopClientOptions<P, C> = options ?? {};
  if (typeof opts !== 'object' || opts === null) throw new TypeError('tracehop: options must be an object');
  const settings: PropagatorSettings = { b3CanonicalCase: opts.b3CanonicalCase === true };
  const spans = opts.spans ?? true;
  if (typeof spans !== 'boolean') throw new TypeError('tracehop: `spans` must be a boolean');
  const provider = opts.tracerProvider ?? trace.getTracerProvider();
  const recordMetrics = opts.metrics ?? true;
  if (typeof recordMetrics !== 'boolean') throw new TypeError('tracehop: `metrics` must be a boolean');
  const meterProvider = opts.meterProvider;
  if (meterProvider !== undefined && (typeof meterProvider !== 'object' || meterProvider === null || typeof meterProvider.getMeter !== 'function')) {
    throw new TypeError('tracehop: `meterProvider` must be a MeterProvider');
  }
  const source = new PropagationSource(opts.propagator, opts.extract, settings, watchEnvironment);
  const stability = new SemconvStability();
  return gateResolvedOptions(opts, {
    propagation: source,
    get injector() {
      return source.current().injector;
    },
    get extractor() {
      return source.current().extractor;
    },
    get ownedHeaders() {
      return source.current().ownedHeaders;
    },
    inbound: validateInbound(opts.inbound),
    baggage: validateBaggage(opts.baggage),
    tracer: spans ? provider.getTracer(scope.name, scope.version) : undefined,
    metrics: recordMetrics ? new MeterSource(scope, meterProvider) : undefined,
    batchSpans: validateBatchSpans((opts as { batchSpans?: unknown }).batchSpans),
    publishHook: validateHook(opts.publishHook, 'publishHook'),
    consumeHook: validateHook(opts.consumeHook, 'consumeHook'),
    get semconv() {
      return stability.current();
    },
  });
}
