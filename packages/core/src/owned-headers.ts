import type { TextMapPropagator } from '@opentelemetry/api';

/**
 * Implemented by tracehop's propagators whose headers are a family rather than a fixed
 * list (Jaeger's `uberctx-{key}` baggage), so that stale values can be found and removed.
 */
export interface OwnsHeaderPrefixes {
  ownedHeaderPrefixes(): readonly string[];
}

/**
 * Implemented by propagators that read headers beyond their `fields()` (a B3 multi-header
 * propagator reads `b3` first), so that stale values of those are removed before inject too.
 */
export interface OwnsHeaderNames {
  ownedHeaderNames(): readonly string[];
}

/** The header names a set of propagators writes, lowercase: what an inject owns. */
export interface OwnedHeaders {
  readonly names: ReadonlySet<string>;
  readonly prefixes: readonly string[];
}

const cache = new WeakMap<TextMapPropagator, OwnedHeaders>();

function hasPrefixes(propagator: TextMapPropagator): propagator is TextMapPropagator & OwnsHeaderPrefixes {
  return typeof (propagator as Partial<OwnsHeaderPrefixes>).ownedHeaderPrefixes === 'function';
}

function hasNames(propagator: TextMapPropagator): propagator is TextMapPropagator & OwnsHeaderNames {
  return typeof (propagator as Partial<OwnsHeaderNames>).ownedHeaderNames === 'function';
}

/** The headers owned by one propagator (memoised: `fields()` is fixed per instance). */
export function ownedHeadersOf(propagator: TextMapPropagator): OwnedHeaders {
  let owned = cache.get(propagator);
  if (owned === undefined) {
    const names = new Set(propagator.fields().map((field) => field.toLowerCase()));
    if (hasNames(propagator)) for (const name of propagator.ownedHeaderNames()) names.add(name.toLowerCase());
    const prefixes = hasPrefixes(propagator)
      ? propagator.ownedHeaderPrefixes().map((prefix) => prefix.toLowerCase())
      : [];
    owned = { names, prefixes };
    cache.set(propagator, owned);
  }
  return owned;
}

/** The union of what several propagators own. */
export function mergeOwnedHeaders(...sets: OwnedHeaders[]): OwnedHeaders {
  const names = new Set<string>();
  const prefixes = new Set<string>();
  for (const set of sets) {
    for (const name of set.names) names.add(name);
    for (const prefix of set.prefixes) prefixes.add(prefix);
  }
  return { names, prefixes: [...prefixes] };
}

/** Whether `name` (any case) is one of the owned headers. */
export function isOwnedHeader(owned: OwnedHeaders, name: string): boolean {
  const lower = name.toLowerCase();
  if (owned.names.has(lower)) return true;
  for (const prefix of owned.prefixes) if (lower.startsWith(prefix)) return true;
  return false;
}
