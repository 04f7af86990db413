import type { TextMapPropagator, TracerProvider } from '@opentelemetry/api';
import type { PropagatorNames } from './propagation/propagator-names.js';

/**
 * How a consumer treats the trace context that arrives with a message.
 * - `'parent'`: the producer's span is the parent of the process span (one trace).
 * - `'link'`: the process span starts a new trace (or continues the span active around the
 *   consumer) and links to the producer's span.
 * - `'ignore'`: the inbound context is not used at all: a new root, no link.
 */
export type InboundPolicy = 'parent' | 'link' | 'ignore';

/**
 * What happens to baggage that arrives with a message: `'keep'` all of it, `'drop'` all of
 * it, or keep only the listed keys.
 */
export type BaggagePolicy = 'keep' | 'drop' | readonly string[];

/** A propagator given as an object, or as `OTEL_PROPAGATORS`-style names. */
export type PropagatorOption = TextMapPropagator | PropagatorNames;

/** Options accepted by every tracehop wrapper. */
export interface TracehopOptions {
  /**
   * The format written into outgoing messages, and read from incoming ones unless `extract`
   * is given: a `TextMapPropagator`, or names as in `OTEL_PROPAGATORS` (`tracecontext`,
   * `baggage`, `b3`, `b3multi`, `jaeger`, `none`).
   * Default: `OTEL_PROPAGATORS` when set, else the globally registered propagator when there
   * is one, else `tracecontext,baggage`.
   */
  propagator?: PropagatorOption;
  /**
   * The formats accepted on consume, in order of preference, when they differ from
   * `propagator` (for example while migrating: inject `tracecontext`, accept
   * `tracecontext,b3,b3multi`). Default: `TRACEHOP_EXTRACT_PROPAGATORS` when set, else
   * whatever `propagator` resolves to.
   */
  extract?: PropagatorOption;
  /** How the inbound context is used by consumers. Default: `'parent'`. */
  inbound?: InboundPolicy;
  /** Which inbound baggage reaches the consumer's context. Default: `'keep'`. */
  baggage?: BaggagePolicy;
  /**
   * Make spans (true), or only propagate context (false): no spans are created, the active
   * context is injected and the inbound one restored around handlers. Default: true.
   */
  spans?: boolean;
  /** Where spans are created. Default: the global tracer provider. */
  tracerProvider?: TracerProvider;
  /**
   * Write B3 multi headers as `X-B3-TraceId` rather than `x-b3-traceid`, for peers that
   * compare header names case-sensitively. Default: false.
   */
  b3CanonicalCase?: boolean;
}

/** The environment variable that sets the extract formats (the `extract` option). */
export const ENV_EXTRACT_PROPAGATORS = 'TRACEHOP_EXTRACT_PROPAGATORS';
/** The OpenTelemetry SDK's environment variable for the propagation formats. */
export const ENV_OTEL_PROPAGATORS = 'OTEL_PROPAGATORS';
/** The formats used when nothing else chooses. */
export const DEFAULT_PROPAGATORS = 'tracecontext,baggage';
