// Reading the spans an app exported: one span by name, and the chain of its parents.
import type { AppSpan } from './run-app.js';

export function spanNamed(spans: readonly AppSpan[], name: string | RegExp, scope?: string): AppSpan {
  const found = spans.filter(
    (span) => (typeof name === 'string' ? span.name === name : name.test(span.name)) && (scope === undefined || span.scope === scope),
  );
  if (found.length !== 1) {
    throw new Error(`expected one span named ${String(name)}${scope ? ` of ${scope}` : ''}, found ${found.length}: ${spans.map((s) => `${s.name} (${s.scope})`).join(', ')}`);
  }
  return found[0]!;
}

/** `span` and each of its ancestors among `spans`, nearest first, as `name (scope)`; all in one trace. */
export function ancestry(spans: readonly AppSpan[], span: AppSpan): string[] {
  const byId = new Map(spans.map((candidate) => [candidate.spanId, candidate]));
  const chain: string[] = [];
  let current: AppSpan | undefined = span;
  while (current !== undefined) {
    if (current.traceId !== span.traceId) throw new Error(`${current.name} is in another trace`);
    chain.push(`${current.name} (${current.scope})`);
    current = current.parentSpanId ? byId.get(current.parentSpanId) : undefined;
  }
  return chain;
}
