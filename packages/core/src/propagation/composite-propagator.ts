import type { Baggage, Context, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { diag, isSpanContextValid, propagation, trace } from '@opentelemetry/api';
import { headerGetter } from '../header-carrier.js';
import type { OwnsHeaderNames, OwnsHeaderPrefixes } from '../owned-headers.js';
import { ownedHeadersOf } from '../owned-headers.js';
import { HeaderIndex } from './header-index.js';
import { withBaggage } from './overlay-context.js';
import { declareTraits, traitsOf, type PropagatorTraits } from './propagator-traits.js';

/**
 * Runs several propagators as one. Unlike `@opentelemetry/core`'s CompositePropagator, where
 * the last propagator to find a span context overwrites the others, extraction here keeps
 * the FIRST valid span context in the configured order (DESIGN.md, migration: "the first in
 * the configured extract order that yields a valid context wins"). Inbound baggage — what
 * any member found, merged, the earlier member winning a shared key — REPLACES the baggage
 * of the context extracted into, as a single baggage propagator's does (and the stock one's):
 * a message's baggage is the sender's, not a mix with whatever the receiver had. With core's
 * `headerGetter`, the carrier is read once for all of tracehop's members (`HeaderIndex`),
 * whatever their number. A failing member is logged and skipped; nothing throws.
 */
export class CompositePropagator implements TextMapPropagator, OwnsHeaderPrefixes, OwnsHeaderNames {
  readonly #propagators: readonly TextMapPropagator[];
  readonly #fields: string[];
  readonly #prefixes: string[];
  readonly #names: string[];
  readonly #traits: readonly (PropagatorTraits | undefined)[];
  /** Two or more of tracehop's propagators: they share one read of the carrier. */
  readonly #indexed: boolean;

  constructor(propagators: readonly TextMapPropagator[]) {
    this.#propagators = [...propagators];
    this.#traits = this.#propagators.map(traitsOf);
    this.#indexed = this.#traits.filter((traits) => traits !== undefined).length >= 2;
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
    // One member: its context as it is (its baggage already replaces the context's).
    if (this.#propagators.length === 1) {
      const alone = this.#extractOne(context, carrier, getter);
      if (alone !== undefined) return alone;
    }
    const index =
      this.#indexed && getter === headerGetter && carrier !== null && typeof carrier === 'object' && !(carrier instanceof HeaderIndex)
        ? new HeaderIndex(carrier)
        : undefined;
    let withSpan: Context | undefined;
    let spanAndBaggage: Context | undefined;
    let inbound: Baggage | undefined;
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
        // tracehop's members read the shared index; a foreign one reads the carrier itself.
        extracted = propagator.extract(from, index !== undefined && traits !== undefined ? index : carrier, getter);
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
      if (found !== undefined && found !== propagation.getBaggage(from)) {
        inbound = inbound === undefined ? found : mergeBaggage(inbound, found);
        if (from === withSpan && inbound === found) spanAndBaggage = extracted;
      }
    }
    const result = withSpan ?? context;
    // No member found baggage: the context's own stays, as with a single propagator.
    if (inbound === undefined || inbound === propagation.getBaggage(result)) return result;
    const reusable =
      spanAndBaggage !== undefined &&
      propagation.getBaggage(spanAndBaggage) === inbound &&
      trace.getSpan(spanAndBaggage) === trace.getSpan(result);
    if (reusable) return spanAndBaggage!;
    return withBaggage(result, inbound);
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

/** Baggage found by two members (at most 64 entries each: linear in what they found). */
function mergeBaggage(into: Baggage, from: Baggage): Baggage {
  let merged = into;
  for (const [key, entry] of from.getAllEntries()) {
    // Earlier propagators win on conflicting keys, as for span contexts.
    if (merged.getEntry(key) === undefined) merged = merged.setEntry(key, entry);
  }
  return merged;
}
