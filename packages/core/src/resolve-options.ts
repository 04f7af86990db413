import type { Context, TextMapGetter, TextMapPropagator, TextMapSetter, Tracer } from '@opentelemetry/api';
import { diag, propagation, trace } from '@opentelemetry/api';
import {
  DEFAULT_PROPAGATORS,
  ENV_EXTRACT_PROPAGATORS,
  ENV_OTEL_PROPAGATORS,
  type BaggagePolicy,
  type InboundPolicy,
  type PropagatorOption,
  type TracehopOptions,
} from './options.js';
import { mergeOwnedHeaders, ownedHeadersOf, type OwnedHeaders } from './owned-headers.js';
import { createPropagator } from './propagation/create-propagator.js';
import type { PropagatorSettings } from './propagation/propagator-registry.js';

/** The options of one wrapper, validated and with every default applied. */
export interface ResolvedOptions {
  /** What is written into outgoing messages. */
  readonly injector: TextMapPropagator;
  /** What is read from incoming messages. */
  readonly extractor: TextMapPropagator;
  /** Every header either of them owns: cleared before each inject. */
  readonly ownedHeaders: OwnedHeaders;
  readonly inbound: InboundPolicy;
  readonly baggage: BaggagePolicy;
  /** The tracer, or undefined in propagate-only mode (`spans: false`). */
  readonly tracer: Tracer | undefined;
}

/** Identifies the instrumentation that creates spans (the tracer's scope). */
export interface InstrumentationScope {
  readonly name: string;
  readonly version: string;
}

const INBOUND_POLICIES: readonly InboundPolicy[] = ['parent', 'link', 'ignore'];

function envValue(name: string): string | undefined {
  const value = typeof process === 'undefined' ? undefined : process.env[name];
  return value !== undefined && value.trim() !== '' ? value : undefined;
}

function isPropagator(value: unknown): value is TextMapPropagator {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as TextMapPropagator).inject === 'function' &&
    typeof (value as TextMapPropagator).extract === 'function' &&
    typeof (value as TextMapPropagator).fields === 'function'
  );
}

function fromOption(option: PropagatorOption, settings: PropagatorSettings): TextMapPropagator {
  if (isPropagator(option)) return option;
  if (typeof option === 'string' || Array.isArray(option)) return createPropagator(option, settings);
  throw new TypeError('tracehop: `propagator` and `extract` take a TextMapPropagator, a string or an array of names');
}

/**
 * The propagator registered with `propagation.setGlobalPropagator`, looked up on every call
 * so that an SDK started after the wrapper was created is still honoured.
 */
const globalPropagator: TextMapPropagator = {
  inject: (context: Context, carrier: unknown, setter: TextMapSetter) => propagation.inject(context, carrier, setter),
  extract: (context: Context, carrier: unknown, getter: TextMapGetter) => propagation.extract(context, carrier, getter),
  fields: () => propagation.fields(),
};

function defaultInjector(settings: PropagatorSettings): TextMapPropagator {
  const fromEnv = envValue(ENV_OTEL_PROPAGATORS);
  if (fromEnv !== undefined) return createPropagator(fromEnv, settings);
  // The no-op global propagator owns no fields; a registered one does.
  if (propagation.fields().length > 0) return globalPropagator;
  return createPropagator(DEFAULT_PROPAGATORS, settings);
}

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

/**
 * Validates a wrapper's options and applies the precedence rules (DESIGN.md, Propagation):
 * explicit option → `OTEL_PROPAGATORS` → the global propagator → `tracecontext,baggage`;
 * for extraction: `extract` → `TRACEHOP_EXTRACT_PROPAGATORS` → the inject propagator.
 * Invalid options throw a TypeError here, at wrap time, never later on a message's path.
 */
export function resolveOptions(options: TracehopOptions | undefined, scope: InstrumentationScope): ResolvedOptions {
  const opts: TracehopOptions = options ?? {};
  if (typeof opts !== 'object') throw new TypeError('tracehop: options must be an object');
  const settings: PropagatorSettings = { b3CanonicalCase: opts.b3CanonicalCase === true };
  const injector = opts.propagator !== undefined ? fromOption(opts.propagator, settings) : defaultInjector(settings);
  const extractEnv = envValue(ENV_EXTRACT_PROPAGATORS);
  const extractor =
    opts.extract !== undefined
      ? fromOption(opts.extract, settings)
      : extractEnv !== undefined
        ? createPropagator(extractEnv, settings)
        : injector;
  const spans = opts.spans ?? true;
  if (typeof spans !== 'boolean') throw new TypeError('tracehop: `spans` must be a boolean');
  const provider = opts.tracerProvider ?? trace.getTracerProvider();
  if (injector === globalPropagator) diag.debug('tracehop: using the globally registered propagator');
  return {
    injector,
    extractor,
    ownedHeaders: mergeOwnedHeaders(ownedHeadersOf(injector), ownedHeadersOf(extractor)),
    inbound: validateInbound(opts.inbound),
    baggage: validateBaggage(opts.baggage),
    tracer: spans ? provider.getTracer(scope.name, scope.version) : undefined,
  };
}
