import type { Baggage, Context, Span, SpanContext } from '@opentelemetry/api';
import { propagation, trace } from '@opentelemetry/api';

/**
 * Extract returns a context with one to three new values (span, baggage, a debug flag). The
 * API's context copies its whole map of values and makes three closures for every value set,
 * which is a third of the cost of extracting a traceparent. So extract returns an overlay:
 * the parent and a few values on top, with the exact behaviour of a context. The messaging
 * span helpers build the context a message is handled or sent in the same way (inbound span,
 * baggage, the new span over the active context), once or twice per message. Setting more
 * values extends the overlay up to a few, then it is turned into an ordinary context of the
 * parent's kind.
 */
const MAX_OVERLAY_VALUES = 4;

export class OverlayContext implements Context {
  readonly #parent: Context;
  // The first value in fields (the usual case: one value), any further ones in arrays.
  readonly #key: symbol;
  readonly #value: unknown;
  readonly #moreKeys: readonly symbol[] | undefined;
  readonly #moreValues: readonly unknown[] | undefined;

  constructor(parent: Context, key: symbol, value: unknown, moreKeys?: readonly symbol[], moreValues?: readonly unknown[]) {
    this.#parent = parent;
    this.#key = key;
    this.#value = value;
    this.#moreKeys = moreKeys;
    this.#moreValues = moreValues;
  }

  getValue(key: symbol): unknown {
    const moreKeys = this.#moreKeys;
    if (moreKeys !== undefined) {
      // Later values first: a key set again shadows its earlier value.
      for (let i = moreKeys.length - 1; i >= 0; i--) if (moreKeys[i] === key) return this.#moreValues![i];
    }
    if (key === this.#key) return this.#value;
    return this.#parent.getValue(key);
  }

  setValue(key: symbol, value: unknown): Context {
    const count = 1 + (this.#moreKeys?.length ?? 0);
    if (count >= MAX_OVERLAY_VALUES) return this.#materialize().setValue(key, value);
    return new OverlayContext(this.#parent, this.#key, this.#value, [...(this.#moreKeys ?? []), key], [...(this.#moreValues ?? []), value]);
  }

  deleteValue(key: symbol): Context {
    return this.#materialize().deleteValue(key);
  }

  /** The same values as an ordinary context, built on the parent. */
  #materialize(): Context {
    let context = this.#parent.setValue(this.#key, this.#value);
    const moreKeys = this.#moreKeys ?? [];
    for (let i = 0; i < moreKeys.length; i++) context = context.setValue(moreKeys[i]!, this.#moreValues![i]);
    return context;
  }
}

/**
 * The key under which an API function stores its value, found by letting it write into a
 * probe context once: robust to whatever description the installed API version uses.
 */
function keyWrittenBy(write: (context: Context) => Context): symbol | undefined {
  let written: symbol | undefined;
  const probe: Context = {
    getValue: () => undefined,
    setValue: (key) => {
      written = key;
      return probe;
    },
    deleteValue: () => probe,
  };
  try {
    write(probe);
  } catch {
    return undefined;
  }
  return written;
}

const SPAN_KEY = keyWrittenBy((context) =>
  trace.setSpan(context, trace.wrapSpanContext({ traceId: '', spanId: '', traceFlags: 0 })),
);
const BAGGAGE_KEY = keyWrittenBy((context) => propagation.setBaggage(context, propagation.createBaggage()));

/** `context` with one more value, as an overlay. */
export function withValue(context: Context, key: symbol, value: unknown): Context {
  return context instanceof OverlayContext ? context.setValue(key, value) : new OverlayContext(context, key, value);
}

/** `trace.setSpanContext`, as an overlay. */
export function withSpanContext(context: Context, spanContext: SpanContext): Context {
  if (SPAN_KEY === undefined) return trace.setSpanContext(context, spanContext);
  return withValue(context, SPAN_KEY, trace.wrapSpanContext(spanContext));
}

/** `trace.setSpan`, as an overlay. */
export function withSpan(context: Context, span: Span): Context {
  if (SPAN_KEY === undefined) return trace.setSpan(context, span);
  return withValue(context, SPAN_KEY, span);
}

/** `propagation.setBaggage`, as an overlay. */
export function withBaggage(context: Context, baggage: Baggage): Context {
  if (BAGGAGE_KEY === undefined) return propagation.setBaggage(context, baggage);
  return withValue(context, BAGGAGE_KEY, baggage);
}
