// Carriers that count the work done on them, so that "each header read once" and "stops at
// the limits" are asserted as counts, not as times: deterministic on a shared machine.

/** What a counting Proxy saw: property reads per name, and key enumerations. */
export interface ReadCounts {
  readonly gets: Map<string, number>;
  ownKeys: number;
  /** Every property read, all names together. */
  total(): number;
}

/** A Proxy over `headers` that counts `get` per property name and `ownKeys` calls. */
export function countingCarrier(headers: Record<string, unknown>): { carrier: Record<string, unknown>; counts: ReadCounts } {
  const gets = new Map<string, number>();
  const counts: ReadCounts = {
    gets,
    ownKeys: 0,
    total: () => [...gets.values()].reduce((sum, n) => sum + n, 0),
  };
  const carrier = new Proxy(headers, {
    get(target, name, receiver) {
      if (typeof name === 'string') gets.set(name, (gets.get(name) ?? 0) + 1);
      return Reflect.get(target, name, receiver) as unknown;
    },
    ownKeys(target) {
      counts.ownKeys++;
      return Reflect.ownKeys(target);
    },
  });
  return { carrier, counts };
}

/** An array Proxy that counts element reads: how much of a repeated header was looked at. */
export function countingArray<T>(items: T[]): { array: T[]; reads: () => number } {
  let reads = 0;
  const array = new Proxy(items, {
    get(target, name, receiver) {
      if (typeof name === 'string' && /^\d+$/.test(name)) reads++;
      return Reflect.get(target, name, receiver) as unknown;
    },
  });
  return { array, reads: () => reads };
}

/**
 * The best of `runs` timings of `call`, in milliseconds: the least disturbed run, which on
 * a shared machine is the closest to the work itself.
 */
export function bestOf(runs: number, call: () => unknown): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    call();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}
