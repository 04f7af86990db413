import type { TracehopOptions } from '../options.js';
import { resolveOptions, type InstrumentationScope, type ResolvedOptions } from '../resolve-options.js';

/**
 * The options of an adapter's standalone `inject…` / `extract…` functions, which may run per
 * message: resolved once per options object (pass the same object to reuse it) and once for
 * the defaults. What the defaults depend on is followed on every call: the SDK's propagator (as
 * for the wrappers) and the environment variables (see PropagationSource). Invalid
 * options throw a TypeError, as they do for the wrappers.
 */
export function standaloneResolver(scope: InstrumentationScope): (options: TracehopOptions | undefined) => ResolvedOptions {
  const byOptions = new WeakMap<object, ResolvedOptions>();
  let defaults: ResolvedOptions | undefined;
  return (options) => {
    if (options === undefined) return (defaults ??= resolveOptions({ spans: false }, scope, true));
    if (options === null || typeof options !== 'object') return resolveOptions(options, scope, true);
    let resolved = byOptions.get(options);
    if (resolved === undefined) {
      resolved = resolveOptions({ ...options, spans: false }, scope, true);
      byOptions.set(options, resolved);
    }
    return resolved;
  };
}
