import type { Baggage } from '@opentelemetry/api';
import { propagation } from '@opentelemetry/api';
import type { BaggagePolicy } from './options.js';

/** Applies a baggage policy to inbound baggage; undefined means "no baggage". */
export function applyBaggagePolicy(baggage: Baggage | undefined, policy: BaggagePolicy): Baggage | undefined {
  if (baggage === undefined || policy === 'keep') return baggage;
  if (policy === 'drop') return undefined;
  const kept: Record<string, ReturnType<Baggage['getAllEntries']>[number][1]> = {};
  let any = false;
  for (const key of policy) {
    const entry = baggage.getEntry(key);
    if (entry !== undefined) {
      kept[key] = entry;
      any = true;
    }
  }
  return any ? propagation.createBaggage(kept) : undefined;
}
