import type { TextMapPropagator } from '@opentelemetry/api';
import type { PropagatorName } from './propagation/propagator-names.js';

/**
 * Recognises the propagators an OpenTelemetry SDK registers for the named formats — NodeSDK's
 * default (`CompositePropagator` of `W3CTraceContextPropagator` + `W3CBaggagePropagator`) and
 * what it builds from `OTEL_PROPAGATORS` (`B3Propagator`, `JaegerPropagator`, composites of
 * these) — so that tracehop can do the same job with its own spec-exact implementation
 * (docs/propagation.md lists the stock ones' departures from their specs).
 *
 * Recognition is by class name *and* by the exact header fields each writes: a propagator
 * configured away from its format (a Jaeger propagator with a custom header, a subclass that
 * writes more) does not match and is used as it is, like any other foreign propagator.
 */

const B3_MULTI_FIELDS = ['x-b3-traceid', 'x-b3-spanid', 'x-b3-flags', 'x-b3-sampled', 'x-b3-parentspanid'];

function fieldsOf(propagator: TextMapPropagator): string[] | undefined {
  try {
    const fields = propagator.fields();
    return Array.isArray(fields) ? fields.map((field) => String(field).toLowerCase()) : undefined;
  } catch {
    return undefined;
  }
}

function sameSet(actual: readonly string[], expected: readonly string[]): boolean {
  return actual.length === expected.length && expected.every((field) => actual.includes(field));
}

function className(value: object): string | undefined {
  const name: unknown = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' ? name : undefined;
}

function recogniseOne(propagator: TextMapPropagator): PropagatorName | undefined {
  const fields = fieldsOf(propagator);
  if (fields === undefined) return undefined;
  switch (className(propagator)) {
    case 'W3CTraceContextPropagator':
      return sameSet(fields, ['traceparent', 'tracestate']) ? 'tracecontext' : undefined;
    case 'W3CBaggagePropagator':
      return sameSet(fields, ['baggage']) ? 'baggage' : undefined;
    case 'B3Propagator':
      if (sameSet(fields, ['b3'])) return 'b3';
      return sameSet(fields, B3_MULTI_FIELDS) ? 'b3multi' : undefined;
    case 'JaegerPropagator': {
      const prefix: unknown = (propagator as { _jaegerBaggageHeaderPrefix?: unknown })._jaegerBaggageHeaderPrefix;
      return sameSet(fields, ['uber-trace-id']) && (prefix === undefined || prefix === 'uberctx') ? 'jaeger' : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * The format names `propagator` stands for, in order, or undefined when it is (or contains)
 * anything else. Never throws.
 */
export function recogniseStockPropagator(propagator: TextMapPropagator): PropagatorName[] | undefined {
  try {
    if (className(propagator) === 'CompositePropagator') {
      const members: unknown = (propagator as { _propagators?: unknown })._propagators;
      if (!Array.isArray(members)) return undefined;
      const names: PropagatorName[] = [];
      for (const member of members as TextMapPropagator[]) {
        const name = typeof member === 'object' && member !== null ? recogniseOne(member) : undefined;
        if (name === undefined) return undefined;
        if (!names.includes(name)) names.push(name);
      }
      return names.length === 0 ? ['none'] : names;
    }
    const name = recogniseOne(propagator);
    return name === undefined ? undefined : [name];
  } catch {
    return undefined;
  }
}
