// How hard the fuzz tests try. The normal suite runs a reduced count; `pnpm test:soak` sets
// TRACEHOP_FUZZ_RUNS=100000 for the full one. A failing run prints fast-check's seed and
// path: TRACEHOP_FUZZ_SEED (and TRACEHOP_FUZZ_PATH) replay it exactly.
import type { Parameters } from 'fast-check';

/** Generated inputs per property in the normal suite. */
export const DEFAULT_FUZZ_RUNS = 2_000;

function positiveInteger(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, not ${raw}`);
  return value;
}

/** Inputs per property: TRACEHOP_FUZZ_RUNS, else the reduced default. */
export const FUZZ_RUNS = positiveInteger('TRACEHOP_FUZZ_RUNS') ?? DEFAULT_FUZZ_RUNS;

/**
 * fast-check parameters for one property. `share` scales the count for properties whose
 * inputs are much more expensive than the others (thousands of headers, megabyte values),
 * so that the suite's time stays bounded; every property still gets FUZZ_RUNS × share runs.
 */
export function fuzzParameters<T>(share = 1): Parameters<T> {
  const seed = positiveInteger('TRACEHOP_FUZZ_SEED');
  const path = process.env.TRACEHOP_FUZZ_PATH;
  return {
    numRuns: Math.max(1, Math.round(FUZZ_RUNS * share)),
    ...(seed === undefined ? {} : { seed }),
    ...(path === undefined ? {} : { path }),
    // Shrinking a failure of a megabyte input can take long; the first counterexample,
    // with its seed, is what matters.
    endOnFailure: FUZZ_RUNS > DEFAULT_FUZZ_RUNS,
  };
}

/** A vitest timeout that grows with the run count (about 2 ms per input, at least a minute). */
export function fuzzTimeout(share = 1, msPerRun = 2): number {
  return Math.max(60_000, Math.round(FUZZ_RUNS * share * msPerRun));
}
