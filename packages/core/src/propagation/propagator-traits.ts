import type { TextMapPropagator } from '@opentelemetry/api';

/** What a propagator is known to do, so that a composite can skip work it need not do. */
export interface PropagatorTraits {
  /** It may put a span context into the context it returns. */
  readonly spanContext: boolean;
  /** It may put baggage into the context it returns. */
  readonly baggage: boolean;
  /** Every span context it returns has valid ids: it checked them while parsing. */
  readonly checksIds: boolean;
}

const traits = new WeakMap<object, PropagatorTraits>();

/** Records what a tracehop propagator does (called from its constructor). */
export function declareTraits(propagator: TextMapPropagator, declared: PropagatorTraits): void {
  traits.set(propagator, declared);
}

/** What is known of a propagator; undefined for foreign ones, which are assumed to do anything. */
export function traitsOf(propagator: TextMapPropagator): PropagatorTraits | undefined {
  return traits.get(propagator);
}
