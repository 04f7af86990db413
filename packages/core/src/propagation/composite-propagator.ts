import type { Context, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { diag, isSpanContextValid, propagation, trace } from '@opentelemetry/api';
import type { OwnsHeaderPrefixes } from '../owned-headers.js';
import { ownedHeadersOf } from '../owned-headers.js';

/**
 * Runs several propagators as one. Unlike `@opentelemetry/core`'s CompositePropagator, where
 * the last propagator to find a span context overwrites the others, extraction here keeps
 * the FIRST valid span context in the configured order (DESIGN.md, migration: "the first in
 * the configured extract order that yields a valid context wins"), and merges the baggage
 * that any of them found. A failing member is logged and skipped; nothing throws.
 */
export class CompositePropagator implements TextMapPropagator, OwnsHeaderPrefixes {
  readonly #propagators: readonly TextMapPropagator[];
  readonly #fields: string[];
  readonly #prefixes: string[];

  constructor(propagators: readonly TextMapPropagator[]) {
    this.#propagators = propagators;
    const owned = propagators.map(ownedHeadersOf);
    this.#fields = [...new Set(propagators.flatMap((p) => p.fields()))];
    this.#prefixes = [...new Set(owned.flatMap((o) => o.prefixes))];
  }

  /** The member propagators, in order. */
  get propagators(): readonly TextMapPropagator[] {
    return this.#propagators;
  }

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    for (const propagator of this.#propagators) {
      try {
        propagator.inject(context, carrier, setter);
      } catch (error) {
        diag.warn('tracehop: a propagator failed to inject', error);
      }
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    let withSpan: Context | undefined;
    let baggage = propagation.getBaggage(context);
    const original = baggage;
    for (const propagator of this.#propagators) {
      let extracted: Context;
      try {
        extracted = propagator.extract(context, carrier, getter);
      } catch (error) {
        diag.debug('tracehop: a propagator failed to extract', error);
        continue;
      }
      if (withSpan === undefined) {
        const spanContext = trace.getSpanContext(extracted);
        if (
          spanContext !== undefined &&
          isSpanContextValid(spanContext) &&
          spanContext !== trace.getSpanContext(context)
        ) {
          withSpan = extracted;
        }
      }
      const found = propagation.getBaggage(extracted);
      if (found !== undefined && found !== original) {
        baggage = baggage === undefined ? found : mergeBaggage(baggage, found);
      }
    }
    let result = withSpan ?? context;
    if (baggage !== undefined && baggage !== propagation.getBaggage(result)) {
      result = propagation.setBaggage(result, baggage);
    }
    return result;
  }

  fields(): string[] {
    return [...this.#fields];
  }

  ownedHeaderPrefixes(): readonly string[] {
    return this.#prefixes;
  }
}

function mergeBaggage(
  into: NonNullable<ReturnType<typeof propagation.getBaggage>>,
  from: NonNullable<ReturnType<typeof propagation.getBaggage>>,
) {
  let merged = into;
  for (const [key, entry] of from.getAllEntries()) {
    // Earlier propagators win on conflicting keys, as for span contexts.
    if (merged.getEntry(key) === undefined) merged = merged.setEntry(key, entry);
  }
  return merged;
}
