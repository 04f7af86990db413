import type { Baggage, BaggageEntry } from '@opentelemetry/api';

/**
 * An immutable `Baggage` built once from a parsed header. The API's `createBaggage` copies
 * its input through an object and two Maps; on a per-message path that is most of the cost
 * of extracting baggage, so parsers build the Map once and hand it over. It behaves as the
 * API's implementation: entries are copied on `getEntry`, every change returns a new instance.
 */
export class BaggageSet implements Baggage {
  readonly #entries: ReadonlyMap<string, BaggageEntry>;

  constructor(entries: ReadonlyMap<string, BaggageEntry>) {
    this.#entries = entries;
  }

  getEntry(key: string): BaggageEntry | undefined {
    const entry = this.#entries.get(key);
    return entry === undefined ? undefined : { ...entry };
  }

  getAllEntries(): [string, BaggageEntry][] {
    return Array.from(this.#entries);
  }

  setEntry(key: string, entry: BaggageEntry): BaggageSet {
    const entries = new Map(this.#entries);
    entries.set(key, entry);
    return new BaggageSet(entries);
  }

  removeEntry(key: string): BaggageSet {
    return this.removeEntries(key);
  }

  removeEntries(...keys: string[]): BaggageSet {
    const entries = new Map(this.#entries);
    for (const key of keys) entries.delete(key);
    return new BaggageSet(entries);
  }

  clear(): BaggageSet {
    return new BaggageSet(new Map());
  }

  /** The entries, read-only, without a copy (for the serialiser). */
  entries(): ReadonlyMap<string, BaggageEntry> {
    return this.#entries;
  }
}
