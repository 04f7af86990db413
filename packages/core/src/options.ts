import type { MeterProvider, Span, TextMapPropagator, TracerProvider } from '@opentelemetry/api';
import type { PropagatorNames } from './propagation/propagator-names.js';

/**
 * How a consumer treats the trace context that arrives with a message.
 * - `'parent'`: the producer's span is the parent of the process span (one trace).
 * - `'link'`: the process span starts a new trace and links to the producer's span.
 * - `'ignore'`: the inbound span context is not used at all: a new root, no link.
 * Whatever the policy, nothing that was active where the client was created or started (a
 * request's span or baggage) reaches a handler: it starts from what the message brought.
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
   * Default: what HTTP uses — the globally registered propagator (an SDK's named formats are
   * done by tracehop's own implementations), else `OTEL_PROPAGATORS`, else
   * `tracecontext,baggage`; chosen when the client is used, so an SDK started after the client
   * was wrapped is followed (docs/propagation.md, "Which format").
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
   * Record the messaging metrics (true) or not (false): the conventions'
   * `messaging.client.operation.duration`, `messaging.client.sent.messages`,
   * `messaging.client.consumed.messages` and `messaging.process.duration`, and tracehop's
   * `tracehop.messaging.wait.duration` (docs/semantics.md, "Metrics"). Independent of `spans`:
   * with `spans: false` metrics are still recorded. With no MeterProvider registered (and no
   * `meterProvider`), nothing is recorded and a message costs nothing more. Default: true.
   */
  metrics?: boolean;
  /**
   * Where metrics are recorded. Default: the global MeterProvider, looked up when used, so a
   * metrics SDK started after the client was wrapped is followed.
   */
  meterProvider?: MeterProvider;
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

/** How a publish of several messages is traced (semconv messaging-spans, "Producer spans"). */
export type BatchSpans = 'per-message' | 'per-call';

/** Adds attributes to a span tracehop started; it runs safely (a throw goes to `diag`). */
export type MessagingHook<Info> = (span: Span, info: Info) => void;

/** Options of every wrapper and instrumentation: core's, plus hooks with the broker's info. */
export interface TracehopClientOptions<PublishInfo, ConsumeInfo> extends TracehopOptions {
  /**
   * Called once per published message with the span whose context that message carries (its
   * `send` span, or its own `create` span in a batch), before the client library gets the
   * message, to add attributes. Not called in propagate-only mode or for spans that are not
   * recording. A throw or a rejected promise is reported through `diag` only. Default: none.
   */
  publishHook?: MessagingHook<PublishInfo>;
  /**
   * Called with each consumer span (`process`, or `receive` for pulled messages) right after
   * it starts, before the handler runs. Same rules as `publishHook`. Default: none.
   */
  consumeHook?: MessagingHook<ConsumeInfo>;
}

/** Options of producers whose client library publishes several messages in one call. */
export interface BatchingOptions {
  /**
   * How a call that publishes several messages is traced. `'per-message'`: a PRODUCER
   * `create {destination}` span per message, whose context that message carries, and a CLIENT
   * `send {destination}` span for the call that links to each (what the messaging conventions
   * recommend for batching APIs). `'per-call'`: one PRODUCER `send {destination}` span whose
   * context every message of the call carries. A call with one message always makes a single
   * PRODUCER `send` span. Default: `'per-message'`.
   */
  batchSpans?: BatchSpans;
}
