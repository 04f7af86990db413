import type { Attributes, Meter, ObservableResult } from '@opentelemetry/api';

/** What the message counters need of a counter: `add`, as the API's `Counter` has it. */
export interface MessageCounter {
  add(value: number, attributes: Attributes): void;
}

interface Series {
  readonly attributes: Attributes;
  value: number;
}

/**
 * A monotonic counter summed here and reported through an `ObservableCounter`, so that
 * counting a message costs a short string key and a Map lookup rather than an SDK record: the
 * SDK hashes a record's attributes (sorted and serialised) every time, which was most of the
 * cost of the messaging metrics per message. The SDK reads the totals at each collection and
 * exports them with the temporality its reader asks for, exactly as it would a `Counter`'s.
 */
export class LocalCounter implements MessageCounter {
  readonly #series = new Map<string, Series>();

  constructor(meter: Meter, name: string, options: { description: string; unit: string }) {
    meter.createObservableCounter(name, options).addCallback((result: ObservableResult) => {
      for (const series of this.#series.values()) result.observe(series.value, series.attributes);
    });
  }

  add(value: number, attributes: Attributes): void {
    // The attribute set as a key: names and values in the object's own order (the adapters
    // build each set in one fixed order, so one set has one key).
    let key = '';
    for (const name in attributes) key += `${name}\u0000${String(attributes[name])}\u0001`;
    const series = this.#series.get(key);
    if (series !== undefined) series.value += value;
    else this.#series.set(key, { attributes: { ...attributes }, value });
  }
}
