import type { TextMapPropagator } from '@opentelemetry/api';
import { diag } from '@opentelemetry/api';
import { CompositePropagator } from './composite-propagator.js';
import { isPropagatorName, type PropagatorName, type PropagatorNames } from './propagator-names.js';
import { propagatorFor, type PropagatorSettings } from './propagator-registry.js';

/**
 * Normalises a list of propagator names the way the OpenTelemetry SDK reads
 * `OTEL_PROPAGATORS` (SDK environment variables spec): trimmed, lowercased, order kept,
 * duplicates removed, `none` disables propagation altogether, unknown names are reported
 * through `diag` and skipped.
 */
export function parsePropagatorNames(names: PropagatorNames): PropagatorName[] {
  const list = typeof names === 'string' ? names.split(',') : [...names];
  const parsed: PropagatorName[] = [];
  for (const raw of list) {
    if (typeof raw !== 'string') continue;
    const name = raw.trim().toLowerCase();
    if (name === '') continue;
    if (!isPropagatorName(name)) {
      diag.warn(`tracehop: unknown propagator "${raw.trim()}" ignored`);
      continue;
    }
    if (!parsed.includes(name)) parsed.push(name);
  }
  return parsed.includes('none') ? ['none'] : parsed;
}

/**
 * Builds one `TextMapPropagator` from names such as `"tracecontext,baggage"` or
 * `['b3multi']`: the same names and meaning as `OTEL_PROPAGATORS`. On extract, the first
 * format in the list that yields a valid span context wins; baggage from all is merged.
 */
export function createPropagator(
  names: PropagatorNames,
  settings: PropagatorSettings = {},
): TextMapPropagator {
  const parsed = parsePropagatorNames(names).filter(
    (name): name is Exclude<PropagatorName, 'none'> => name !== 'none',
  );
  return new CompositePropagator(parsed.map((name) => propagatorFor(name, settings)));
}
