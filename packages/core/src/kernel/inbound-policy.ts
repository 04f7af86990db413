import type { Baggage, Context, SpanContext, TextMapGetter } from '@opentelemetry/api';
import { ROOT_CONTEXT, diag, isSpanContextValid, propagation, trace } from '@opentelemetry/api';
import { applyBaggagePolicy } from '../baggage-policy.js';
import { headerGetter } from '../header-carrier.js';
import { TRACE_WIDE_FLAG_KEYS } from '../propagation/trace-wide-flags.js';
import { withBaggage, withSpanContext, withValue } from '../propagation/overlay-context.js';
import { traitsOf } from '../propagation/propagator-traits.js';
import type { ResolvedOptions } from '../resolve-options.js';

/** What a message brought with it, after the wrapper's trust policies were applied. */
export interface InboundContext {
  /** The producer's span context, when the message carried a valid one. */
  readonly spanContext: SpanContext | undefined;
  /** The inbound baggage that the baggage policy lets through. */
  readonly baggage: Baggage | undefined;
  /**
   * Trace-wide values a format keeps beside the span context (the B3 and Jaeger debug flags,
   * the W3C random trace-id flag),
   * carried on to what the consumer sends when the producer's span is the parent.
   */
  readonly flags?: ReadonlyArray<readonly [symbol, unknown]>;
}

function traceWideValues(extracted: Context): Array<readonly [symbol, unknown]> | undefined {
  let flags: Array<readonly [symbol, unknown]> | undefined;
  // Values that belong to the trace, not the hop (B3 / Jaeger debug, W3C random flag) cross a consumer.
  for (const key of TRACE_WIDE_FLAG_KEYS) {
    const value = extracted.getValue(key);
    if (value !== undefined) (flags ??= []).push([key, value]);
  }
  return flags;
}

export const NO_INBOUND: InboundContext = Object.freeze({ spanContext: undefined, baggage: undefined });

/**
 * Reads the context a message carries, with the wrapper's extract formats, relative to the
 * empty root context — so nothing ambient can be mistaken for inbound. Bad input yields
 * nothing; this never throws.
 */
export function extractInbound<C>(
  resolved: ResolvedOptions,
  carrier: C | null | undefined,
  getter: TextMapGetter<C> = headerGetter as unknown as TextMapGetter<C>,
): InboundContext {
  if (carrier == null || (resolved.inbound === 'ignore' && resolved.baggage === 'drop')) return NO_INBOUND;
  try {
    const { extractor } = resolved.propagation.current();
    const extracted = extractor.extract(ROOT_CONTEXT, carrier, getter);
    const spanContext = trace.getSpanContext(extracted);
    // Extracted from an empty context, a span context can only come from the extractor; when
    // that is made of tracehop's propagators, its ids were checked while parsing.
    const valid = spanContext !== undefined && (traitsOf(extractor)?.checksIds === true || isSpanContextValid(spanContext));
    return {
      spanContext: valid ? spanContext : undefined,
      baggage: applyBaggagePolicy(propagation.getBaggage(extracted), resolved.baggage),
      flags: valid ? traceWideValues(extracted) : undefined,
    };
  } catch (error) {
    diag.debug('tracehop: could not extract a context; the message is processed as a new root', error);
    return NO_INBOUND;
  }
}

/**
 * The context a message's work runs in, before any consumer span. It is built on `base` —
 * the empty root context, except for work nested in a span tracehop itself made (a message
 * of a Kafka batch, inside the batch span) — and never on the context that happens to be
 * active: a client's socket callbacks run in whatever context the connection, channel,
 * consumer or reader was created or started in (an app that connects inside its first HTTP
 * request would hand that request's span and baggage to every later message).
 *
 * `inbound: 'parent'` puts the producer's span in as the remote parent (with the trace-wide
 * flags of its format); `'link'` and `'ignore'` leave `base` as it is (a new root; the link,
 * if any, is the span's). The inbound baggage, filtered by the baggage policy, is added
 * whatever the policy.
 */
export function inboundContext(resolved: ResolvedOptions, inbound: InboundContext, base: Context = ROOT_CONTEXT): Context {
  // The values are laid over `base` (overlay-context.ts) rather than set with the API's
  // helpers, each of which copies every value of the context: this runs per message.
  let context = base;
  if (resolved.inbound === 'parent' && inbound.spanContext !== undefined) {
    context = withSpanContext(context, inbound.spanContext);
    if (inbound.flags !== undefined) for (const [key, value] of inbound.flags) context = withValue(context, key, value);
  }
  return inbound.baggage === undefined ? context : withBaggage(context, inbound.baggage);
}

/**
 * What a standalone `extract…Context(headers)` returns: exactly the context a traced consumer
 * runs its handler in, before its own span (see `inboundContext`). Never throws.
 */
export function extractMessageContext<C>(resolved: ResolvedOptions, carrier: C | null | undefined, getter?: TextMapGetter<C>): Context {
  try {
    return inboundContext(resolved, extractInbound(resolved, carrier, getter));
  } catch (error) {
    diag.debug('tracehop: could not extract a message context', error);
    return ROOT_CONTEXT;
  }
}
