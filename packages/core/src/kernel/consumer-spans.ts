import type { Attributes, Context, Link, Span } from '@opentelemetry/api';
import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { withSpan } from '../propagation/overlay-context.js';
import type { ResolvedOptions } from '../resolve-options.js';
import { inboundContext, type InboundContext } from './inbound-policy.js';

/** A span that was started for a message, with the context to run the message's work in. */
export interface MessagingSpan {
  /** Undefined in propagate-only mode (`spans: false`). */
  readonly span: Span | undefined;
  /** The context to make active (consumers) or to inject (producers). */
  readonly context: Context;
}

export interface ConsumerSpanInit {
  /** Span name, e.g. `process orders`. */
  readonly name: string;
  /** Built only when a span is made (propagate-only mode reads none). */
  readonly attributes: Attributes | (() => Attributes);
  /** What the message carried (see `extractInbound`). */
  readonly inbound: InboundContext;
  /** Extra links, e.g. one per message of a batch. */
  readonly links?: Link[];
  /**
   * What the work nests in: the root context, unless it runs inside a span tracehop itself
   * made (a message of a Kafka batch). Never the ambient context (see `inboundContext`).
   */
  readonly base?: Context;
  /** Restore the message's context only, without a span of its own. */
  readonly withoutSpan?: boolean;
}

function attributesOf(init: { readonly attributes: Attributes | (() => Attributes) }): Attributes {
  return typeof init.attributes === 'function' ? init.attributes() : init.attributes;
}

/**
 * Starts the CONSUMER span around a message's processing, honouring the `inbound` policy:
 * the producer's span is its parent (`'parent'`), or a link on a new root (`'link'`), or
 * unused (`'ignore'`). Inbound baggage, filtered by the baggage policy, is part of the
 * returned context. In propagate-only mode only the context is built.
 */
export function startConsumerSpan(resolved: ResolvedOptions, init: ConsumerSpanInit): MessagingSpan {
  const base = inboundContext(resolved, init.inbound, init.base);
  if (resolved.tracer === undefined || init.withoutSpan === true) return { span: undefined, context: base };
  let links = init.links;
  if (resolved.inbound === 'link' && init.inbound.spanContext !== undefined) {
    links = [{ context: init.inbound.spanContext }, ...(links ?? [])];
  }
  const span = resolved.tracer.startSpan(init.name, { kind: SpanKind.CONSUMER, attributes: attributesOf(init), links }, base);
  return { span, context: withSpan(base, span) };
}

export interface ReceiveSpanInit extends ConsumerSpanInit {
  /** The context of the application's call that pulled the message (`get()`). */
  readonly caller: Context;
  /** When the call started: the span covers the wait for the broker's answer. */
  readonly startTime?: number;
}

/**
 * Starts the CLIENT `receive` span of a pull (semconv: "receive" spans of pull-based APIs are
 * CLIENT). Unlike a consumer callback, a pull is a call the application made, so its caller's
 * span is a meaningful parent — but only the span, never the caller's baggage: the message's
 * context holds what the message brought. Under `inbound: 'parent'` the producer's span is the
 * parent when the message carries one (the work done with the message continues its trace);
 * under `'link'` the caller's span is the parent and the producer's span a link.
 */
export function startReceiveSpan(resolved: ResolvedOptions, init: ReceiveSpanInit): MessagingSpan {
  const callerSpan = trace.getSpan(init.caller);
  const useProducer = resolved.inbound === 'parent' && init.inbound.spanContext !== undefined;
  const base = useProducer || callerSpan === undefined ? ROOT_CONTEXT : withSpan(ROOT_CONTEXT, callerSpan);
  const context = inboundContext(resolved, init.inbound, base);
  if (resolved.tracer === undefined) return { span: undefined, context };
  const links = resolved.inbound === 'link' && init.inbound.spanContext !== undefined ? [{ context: init.inbound.spanContext }] : init.links;
  const span = resolved.tracer.startSpan(
    init.name,
    { kind: SpanKind.CLIENT, attributes: attributesOf(init), links, startTime: init.startTime },
    context,
  );
  return { span, context: withSpan(context, span) };
}
