/**
 * The backlog rule (docs/sampling.md): the fraction of messages a consumer traces is
 * `r = max(r_min, min(1, 1 − 0.9 × backlog / capacity))`, capped at `GUARD_CAP` while the
 * process is under pressure (see resource-guard.ts).
 */

/** The most a consumer traces while the resource guard is tripped. */
export const GUARD_CAP = 0.1;

/** The default floor: even a flooded consumer keeps 1 % of its traces. */
export const DEFAULT_MIN_RATE = 0.01;

/** How hard a consumer is pressed, logged once on each change. */
export type PressureState = 'normal' | 'elevated' | 'high';

/** The numeric value of a state, for the `tracehop.sampling.pressure` gauge. */
export const PRESSURE_LEVEL: Readonly<Record<PressureState, number>> = { normal: 0, elevated: 1, high: 2 };

/** The rate for a backlog (messages) and a capacity (messages), before the guard. */
export function backlogRate(backlog: number, capacity: number, min: number): number {
  if (!(backlog > 0)) return 1;
  return Math.max(min, Math.min(1, 1 - (0.9 * backlog) / capacity));
}

/** normal below 30 % of capacity, elevated to 70 %, high above it — or whenever the guard tripped. */
export function pressureOf(backlog: number, capacity: number, guardTripped: boolean): PressureState {
  if (guardTripped) return 'high';
  const share = backlog / capacity;
  if (share > 0.7) return 'high';
  return share >= 0.3 ? 'elevated' : 'normal';
}
