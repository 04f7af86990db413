/** The propagator names of `OTEL_PROPAGATORS` that tracehop implements. */
export const PROPAGATOR_NAMES = ['tracecontext', 'baggage', 'b3', 'b3multi', 'jaeger', 'none'] as const;
export type PropagatorName = (typeof PROPAGATOR_NAMES)[number];

/** A list of names: a comma-separated string, as in `OTEL_PROPAGATORS`, or an array. */
export type PropagatorNames = string | readonly string[];

export function isPropagatorName(name: string): name is PropagatorName {
  return (PROPAGATOR_NAMES as readonly string[]).includes(name);
}
