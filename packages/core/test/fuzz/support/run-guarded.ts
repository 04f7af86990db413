// Runs one call of the code under test on a hostile input and checks the properties every
// fuzz test shares: it returns (never throws), within a generous time bound, leaves its
// input exactly as it was, and leaves the built-in prototypes alone.
import { afterAll } from 'vitest';
import { changedSince, deepFreeze, prototypeBaseline, prototypePollution, snapshot } from './input-guards.js';

/**
 * The slowest any single call may be. A catastrophic regex or quadratic scan on a megabyte
 * input takes seconds to minutes; a linear one takes milliseconds. The bound is generous so
 * that a loaded machine never fails it by accident.
 */
export const CALL_TIME_BOUND_MS = 1_000;

const baseline = prototypeBaseline();

// The slowest guarded call of the file, reported once it is done (docs/reliability.md quotes it).
let slowest = { ms: 0, calls: 0 };
afterAll(() => {
  if (slowest.calls > 0) console.info(`[fuzz] ${slowest.calls} guarded calls, slowest ${slowest.ms.toFixed(1)} ms`);
});

/** Thrown for a broken property, with what broke; fast-check reports it with the input. */
export class PropertyViolation extends Error {
  override name = 'PropertyViolation';
}

/**
 * Calls `call(input)` on a deep-frozen input and returns its result, or throws a
 * PropertyViolation when the call threw, took longer than the bound, changed its input, or
 * polluted a prototype. `extra` inputs (a context, options) are guarded the same way.
 */
export function runGuarded<I, R>(input: I, call: (input: I) => R, ...extra: unknown[]): R {
  deepFreeze(input);
  for (const value of extra) deepFreeze(value);
  const before = snapshot(input);
  const extraBefore = extra.map(snapshot);
  const started = performance.now();
  let result: R;
  try {
    result = call(input);
  } catch (error) {
    throw new PropertyViolation(`threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  }
  const elapsed = performance.now() - started;
  slowest = { ms: Math.max(slowest.ms, elapsed), calls: slowest.calls + 1 };
  if (elapsed > CALL_TIME_BOUND_MS) throw new PropertyViolation(`took ${elapsed.toFixed(0)} ms`);
  const changed = changedSince(before, input) ?? extra.map((value, i) => changedSince(extraBefore[i]!, value)).find((c) => c !== undefined);
  if (changed !== undefined) throw new PropertyViolation(`changed its input: ${changed}`);
  const polluted = prototypePollution(baseline);
  if (polluted !== undefined) throw new PropertyViolation(`polluted a prototype: ${polluted}`);
  return result;
}

/** Fails with a PropertyViolation unless `problem` is undefined. */
export function holds(problem: string | undefined): void {
  if (problem !== undefined) throw new PropertyViolation(problem);
}
