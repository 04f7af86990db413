import type { Context, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { diag, isSpanContextValid, propagation, trace } from '@opentelemetry/api';
import type { OwnsHeaderNames, OwnsHeaderPrefixes } from '../owned-headers.js';
import { ownedHeadersOf } from '../owned-headers.js';
import { withBaggage } from './overlay-context.js';
import { declareTraits, traitsOf, type PropagatorTraits } from './propagator-traits.js';

/**
 * Runs several propagators as one. Unlike `@opentelemetry/core`'s CompositePropagator, where
 * the last propagator to find a span context overwrites the others, extraction here keeps
 * the FIRST valid span context in the configured order (DESIGN.md, migration: "the first in
 * the configured extract order that yields a valid context wins"), and merges the baggage
 * that any of them found. A failing member is logged and skipped; nothing throws.
 */
export class CompositePropagator implements TextMapPropagator, OwnsHeaderPrefixes, OwnsHeaderNames {
  readonly #propagators: readonly TextMapPropagator[];
  readonly #fields: string[];
  readonly #prefixes: string[];
  readonly #names: string[];
  readonly #traits: readonly (PropagatorTraits | undefined)[];

  constructor(propagators: readonly TextMapPropagator[]) {
    this.#propagators = [...propagators];
    this.#traits = this.#propagators.map(traitsOf);
    // What the members are known to do holds for the composite too; a foreign member (no
    // traits) may do anything, and then so may the composite.
    declareTraits(this, {
      spanContext: this.#traits.some((traits) => traits?.spanContext !== false),
      baggage: this.#traits.some((traits) => traits?.baggage !== false),
      checksIds: this.#traits.every((traits) => traits?.checksIds === true),
    });
    const owned = propagators.map(ownedHeadersOf);
    this.#fields = [...new Set(propagators.flatMap((p) => p.fields()))];
    this.#prefixes = [...new Set(owned.flatMap((o) => o.prefixes))];
    this.#names = [...new Set(owned.flatMap((o) => [...o.names]))];
  }

  /** The member propagators, in order. */
  get propagators(): readonly TextMapPropagator[] {
    return this.#propagators;
  }

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    for (let i = 0; i < this.#propagators.length; i++) {
      const propagator = this.#propagators[i]!;
      try {
        propagator.inject(context, carrier, setter);
      } catch (error) {
        diag.warn('tracehop: a propagator failed to inject', error);
      }
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    // One member, and no baggage to merge (it reads none, or there is none around): its
    // context as it is.
    const single = this.#propagators.length === 1;
    if (single && (this.#traits[0]?.baggage === false || propagation.getBaggage(context) === undefined)) {
      const alone = this.#extractOne(context, carrier, getter);
      if (alone !== undefined) return alone;
    }
    let withSpan: Context | undefined;
    let spanAndBaggage: Context | undefined;
    let baggage = propagation.getBaggage(context);
    const original = baggage;
    for (let i = 0; i < this.#propagators.length; i++) {
      const propagator = this.#propagators[i]!;
      const traits = this.#traits[i];
      // Once a span context is found, members that can only add another one are skipped.
      if (withSpan !== undefined && traits?.baggage === false) continue;
      // A member that only reads baggage extracts on top of the span context already found,
      // so that its result can be the final context without one more copy.
      const from = withSpan !== undefined && traits?.spanContext === false ? withSpan : context;
      let extracted: Context;
      try {
        extracted = propagator.extract(from, carrier, getter);
      } catch (error) {
        diag.debug('tracehop: a propagator failed to extract', error);
        continue;
      }
      if (withSpan === undefined && traits?.spanContext !== false) {
        const spanContext = trace.getSpanContext(extracted);
        if (
          spanContext !== undefined &&
          spanContext !== trace.getSpanContext(context) &&
          (traits?.checksIds === true || isSpanContextValid(spanContext))
        ) {
          withSpan = extracted;
        }
      }
      if (traits?.baggage === false) continue;
      const found = propagation.getBaggage(extracted);
      if (found !== undefined && found !== original) {
        baggage = baggage === undefined ? found : mergeBaggage(baggage, found);
        if (from === withSpan && baggage === found) spanAndBaggage = extracted;
      }
    }
    const result = withSpan ?? context;
    if (baggage === undefined || baggage === propagation.getBaggage(result)) return result;
    const reusable =
      spanAndBaggage !== undefined &&
      propagation.getBaggage(spanAndBaggage) === baggage &&
      trace.getSpan(spanAndBaggage) === trace.getSpan(result);
    if (reusable) return spanAndBaggage!;
    return withBaggage(result, baggage);
  }

  /**
   * The common case of one member, without the merging machinery: the member's context as
   * it is. Undefined (use the general path) when a foreign member made an invalid span context.
   */
  #extractOne(context: Context, carrier: unknown, getter: TextMapGetter): Context | undefined {
    const propagator = this.#propagators[0]!;
    let extracted: Context;
    try {
      extracted = propagator.extract(context, carrier, getter);
    } catch (error) {
      diag.debug('tracehop: a propagator failed to extract', error);
      return context;
    }
    if (this.#traits[0]?.checksIds === true) return extracted;
    const spanContext = trace.getSpanContext(extracted);
    const usable = spanContext === undefined || spanContext === trace.getSpanContext(context) || isSpanContextValid(spanContext);
    return usable ? extracted : undefined;
  }

  fields(): string[] {
    return [...this.#fields];
  }

  ownedHeaderPrefixes(): readonly string[] {
    return this.#prefixes;
  }

  /** Every header a member owns, its `fields()` and the extra names it reads. */
  ownedHeaderNames(): readonly string[] {
    return this.#names;
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
