/**
 * Whether a trace is kept at `rate`, decided by its trace id alone — like a trace-id ratio
 * sampler — so that every consumer of a trace under the same pressure makes the same choice,
 * and a trace is kept or skipped as a whole across a pipeline, whatever the language of the
 * next hop. The randomness is the trace id's rightmost 52 bits: W3C Trace Context Level 2
 * (§3.2.2.4, "random trace-id flag") makes at least its rightmost 7 bytes random, and 52 bits
 * fit a double exactly.
 */
const RANDOM_HEX_DIGITS = 13;
const RANDOM_RANGE = 2 ** 52;

export function keepsTrace(traceId: string | undefined, rate: number): boolean {
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  if (traceId === undefined || traceId.length !== 32) return Math.random() < rate;
  const random = Number.parseInt(traceId.slice(32 - RANDOM_HEX_DIGITS), 16);
  // Not hex (cannot happen for a validated id): decide as for a message without one.
  if (Number.isNaN(random)) return Math.random() < rate;
  return random < rate * RANDOM_RANGE;
}
