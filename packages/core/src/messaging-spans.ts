import type { Attributes, Baggage, Context, Link, Span, SpanContext, TextMapGetter } from '@opentelemetry/api';
import { ROOT_CONTEXT, SpanKind, context as contextApi, diag, isSpanContextValid, propagation, trace } from '@opentelemetry/api';
import { applyBaggagePolicy } from './baggage-policy.js';
import { headerGetter } from './header-carrier.js';
import { B3_DEBUG_FLAG_KEY } from './propagation/b3-propagator.js';
import { JAEGER_DEBUG_FLAG_KEY } from './propagation/jaeger-propagator.js';
import { withBaggage, withSpan, withSpanContext, withValue } from './propagation/overlay-context.js';
import { traitsOf } from './propagation/propagator-traits.js';
import type { ResolvedOptions } from './resolve-options.js';

/** What a message brought with it, after the wrapper's trust policies were applied. */
export interface InboundContext {
  /** The producer's span context, when the message carried a valid one. */
  readonly spanContext: SpanContext | undefined;
  /** The inbound baggage that the baggage policy lets through. */
  readonly baggage: Baggage | undefined;
  /**
   * Trace-wide flags a format keeps beside the span context (the B3 and Jaeger debug flags),
   * carried on to what the consumer sends when the producer's span is the parent.
   */
  readonly flags?: ReadonlyArray<readonly [symbol, unknown]>;
}

/** Context keys whose values belong to the trace, not the hop: they cross a consumer. */
const TRACE_FLAG_KEYS: readonly symbol[] = [B3_DEBUG_FLAG_KEY, JAEGER_DEBUG_FLAG_KEY];

function traceFlagsOf(extracted: Context): Array<readonly [symbol, unknown]> | undefined {
  let flags: Array<readonly [symbol, unknown]> | undefined;
  for (const key of TRACE_FLAG_KEYS) {
    const value = extracted.getValue(key);
    if (value !== undefined) (flags ??= []).push([key, value]);
  }
  return flags;
}

const NO_INBOUND: InboundContext = { spanContext: undefined, baggage: undefined };

/**
 * Reads the context a message carries, with the wrapper's extract formats, relative to an
 * empty context (so nothing ambient is mistaken for inbound). Bad input yields nothing.
 */
export function extractInbound<C>(
  resolved: ResolvedOptions,
  carrier: C | null | undefined,
  getter: TextMapGetter<C> = headerGetter as unknown as TextMapGetter<C>,
): InboundContext {
  if (carrier == null || (resolved.inbound === 'ignore' && resolved.baggage === 'drop')) return NO_INBOUND;
  let extracted: Context;
  try {
    extracted = resolved.extractor.extract(ROOT_CONTEXT, carrier, getter);
  } catch (error) {
    diag.debug('tracehop: could not extract a context; the message is processed as a new root', error);
    return NO_INBOUND;
  }
  const spanContext = trace.getSpanContext(extracted);
  // Extracted from an empty context, a span context can only come from the extractor; when
  // that is made of tracehop's propagators, its ids were checked while parsing.
  const valid = spanContext !== undefined && (traitsOf(resolved.extractor)?.checksIds === true || isSpanContextValid(spanContext));
  return {
    spanContext: valid ? spanContext : undefined,
    baggage: applyBaggagePolicy(propagation.getBaggage(extracted), resolved.baggage),
    flags: valid ? traceFlagsOf(extracted) : undefined,
  };
}

/**
 * The context in which a message's work runs, before any consumer span: the inbound span as
 * the remote parent (`inbound: 'parent'`), the ambient span (`'link'`), or no span
 * (`'ignore'`, or no valid inbound context). A consumer callback's ambient span is whatever
 * was active when the consumer was started, never the message's trace, so it is dropped
 * unless the policy is `'link'`.
 */
export function inboundContext(resolved: ResolvedOptions, inbound: InboundContext, active: Context = contextApi.active()): Context {
  // The values are laid over the active context (see overlay-context.ts) rather than set with
  // the API's helpers, each of which copies every value of the context: this runs per message.
  let base: Context;
  if (resolved.inbound === 'link') base = active;
  else if (resolved.inbound === 'parent' && inbound.spanContext !== undefined) {
    base = withSpanContext(active, inbound.spanContext);
    if (inbound.flags !== undefined) for (const [key, value] of inbound.flags) base = withValue(base, key, value);
  } else base = trace.getSpan(active) === undefined ? active : trace.deleteSpan(active);
  return inbound.baggage === undefined ? base : withBaggage(base, inbound.baggage);
}

/** A span that was started for a message, with the context to run the message's work in. */
export interface MessagingSpan {
  /** Undefined in propagate-only mode (`spans: false`). */
  readonly span: Span | undefined;
  /** The context to make active (consumers) or to inject (producers). */
  readonly context: Context;
}

export interface ProducerSpanInit {
  /** Span name, `{operation} {destination}` (semconv: "Span name"), e.g. `send orders`. */
  readonly name: string;
  readonly attributes: Attributes;
  /** Parent context. Default: the active context. */
  readonly parent?: Context;
  readonly links?: Link[];
}

/**
 * Starts a PRODUCER span as a child of the active span. In propagate-only mode no span is
 * made and the active context itself is what gets injected.
 */
export function startProducerSpan(resolved: ResolvedOptions, init: ProducerSpanInit): MessagingSpan {
  const parent = init.parent ?? contextApi.active();
  if (resolved.tracer === undefined) return { span: undefined, context: parent };
  const span = resolved.tracer.startSpan(
    init.name,
    { kind: SpanKind.PRODUCER, attributes: init.attributes, links: init.links },
    parent,
  );
  return { span, context: withSpan(parent, span) };
}

export interface ConsumerSpanInit {
  /** Span name, e.g. `process orders`. */
  readonly name: string;
  readonly attributes: Attributes;
  /** What the message carried (see `extractInbound`). */
  readonly inbound: InboundContext;
  /** Extra links, e.g. one per message of a batch. */
  readonly links?: Link[];
  /** Default CONSUMER; `receive` spans of pull APIs use CLIENT per the conventions. */
  readonly kind?: SpanKind;
  /** The context the consumer callback runs in. Default: the active context. */
  readonly active?: Context;
}

/**
 * Starts the span around a message's processing, honouring the `inbound` policy: the
 * producer's span is its parent (`'parent'`), or a link (`'link'`), or unused (`'ignore'`).
 * Inbound baggage, filtered by the baggage policy, is part of the returned context.
 */
export function startConsumerSpan(resolved: ResolvedOptions, init: ConsumerSpanInit): MessagingSpan {
  const base = inboundContext(resolved, init.inbound, init.active);
  if (resolved.tracer === undefined) return { span: undefined, context: base };
  let links = init.links;
  if (resolved.inbound === 'link' && init.inbound.spanContext !== undefined) {
    links = [{ context: init.inbound.spanContext }, ...(links ?? [])];
  }
  const span = resolved.tracer.startSpan(
    init.name,
    { kind: init.kind ?? SpanKind.CONSUMER, attributes: init.attributes, links },
    base,
  );
  return { span, context: withSpan(base, span) };
}
