import { propagation } from '@opentelemetry/api';
import { ENV_EXTRACT_PROPAGATORS, ENV_OTEL_PROPAGATORS, resolveOptions, type ResolvedOptions, type TracehopOptions } from '@tracehop/core';
import { INSTRUMENTATION_SCOPE } from './version.js';

/** Resolved settings of the standalone functions, per options object. */
const byOptions = new WeakMap<TracehopOptions, ResolvedOptions>();
let defaults: { readonly key: string; readonly resolved: ResolvedOptions } | undefined;

/**
 * What the defaults depend on: the two environment variables, and which global propagator
 * is registered (its fields). An SDK started, or an environment changed, after the first
 * call is honoured on the next one.
 */
function defaultsKey(): string {
  const env = typeof process === 'undefined' ? {} : process.env;
  return `${env[ENV_OTEL_PROPAGATORS] ?? ''}\u0000${env[ENV_EXTRACT_PROPAGATORS] ?? ''}\u0000${propagation.fields().join(',')}`;
}

/**
 * `injectAmqpHeaders` and `extractAmqpContext` may run per message: their options are
 * resolved once per options object (pass the same object to reuse them), and the defaults
 * once per configuration, rather than on every call.
 */
export function standaloneOptions(options: TracehopOptions | undefined): ResolvedOptions {
  if (options !== undefined && options !== null && typeof options === 'object') {
    let resolved = byOptions.get(options);
    if (resolved === undefined) {
      resolved = resolveOptions(options, INSTRUMENTATION_SCOPE);
      byOptions.set(options, resolved);
    }
    return resolved;
  }
  if (options !== undefined) return resolveOptions(options, INSTRUMENTATION_SCOPE);
  const key = defaultsKey();
  if (defaults === undefined || defaults.key !== key) {
    defaults = { key, resolved: resolveOptions(undefined, INSTRUMENTATION_SCOPE) };
  }
  return defaults.resolved;
}
