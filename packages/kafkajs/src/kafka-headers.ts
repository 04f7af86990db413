import type { Context } from '@opentelemetry/api';
import { context as contextApi, diag, propagation, trace } from '@opentelemetry/api';
import {
  ENV_EXTRACT_PROPAGATORS,
  ENV_OTEL_PROPAGATORS,
  extractInbound,
  injectHeaders,
  resolveOptions,
  type ResolvedOptions,
  type TracehopOptions,
} from '@tracehop/core';
import type { IHeaders } from 'kafkajs';
import { INSTRUMENTATION_SCOPE } from './version.js';

// Resolving builds propagators, so it happens once per options object, not once per message.
const byOptions = new WeakMap<TracehopOptions, ResolvedOptions>();
let defaults: { readonly key: string; readonly resolved: ResolvedOptions } | undefined;

function env(name: string): string {
  return (typeof process === 'undefined' ? undefined : process.env[name]) ?? '';
}

/**
 * The resolved options for these free functions. Without options, what core's defaults depend
 * on (the two environment variables, whether a global propagator is registered) is the cache
 * key, so a deployment that changes them is still followed.
 */
function resolvedFor(options: TracehopOptions | undefined): ResolvedOptions {
  if (options === undefined) {
    const key = `${env(ENV_OTEL_PROPAGATORS)}\n${env(ENV_EXTRACT_PROPAGATORS)}\n${propagation.fields().length > 0}`;
    if (defaults?.key !== key) defaults = { key, resolved: resolveOptions({ spans: false }, INSTRUMENTATION_SCOPE) };
    return defaults.resolved;
  }
  let resolved = byOptions.get(options);
  if (resolved === undefined) {
    resolved = resolveOptions({ ...options, spans: false }, INSTRUMENTATION_SCOPE);
    byOptions.set(options, resolved);
  }
  return resolved;
}

/**
 * Returns a copy of kafkajs message headers carrying `context` (default: the active one) in
 * the configured format, for messages sent by other means than a traced producer. Every
 * header the formats own is replaced, null and undefined values (which kafkajs rejects) are
 * left out, and every other value is kept as is: the very same Buffers, strings and arrays.
 * `headers` itself is never written to. Options are read once per options object.
 */
export function injectKafkaHeaders(
  headers: IHeaders | null | undefined,
  context: Context = contextApi.active(),
  options?: TracehopOptions,
): IHeaders {
  const resolved = resolvedFor(options);
  return injectHeaders(headers, context, resolved.injector, { owned: resolved.ownedHeaders, dropNullish: true }) as IHeaders;
}

/**
 * Reads the trace context of a kafkajs message's headers (as received: Buffers, strings or
 * arrays) in the configured extract formats, and returns the active context with the
 * producer's span as the remote parent and, when the message carries any, its baggage
 * (filtered by the `baggage` policy) in place of the active baggage, as the traced consumers
 * do. Headers without a valid context, or with garbage, give the active context with no span
 * at all (a new root). With `inbound: 'ignore'` the
 * producer's span is not used; `'link'` returns it like `'parent'` (build the link from
 * `trace.getSpanContext()` of the result). Never throws for any header content.
 */
export function extractKafkaContext(headers: IHeaders | null | undefined, options?: TracehopOptions): Context {
  const resolved = resolvedFor(options);
  const active = contextApi.active();
  try {
    const inbound = extractInbound(resolved, headers);
    const base =
      inbound.spanContext !== undefined && resolved.inbound !== 'ignore'
        ? trace.setSpanContext(active, inbound.spanContext)
        : trace.deleteSpan(active);
    return inbound.baggage === undefined ? base : propagation.setBaggage(base, inbound.baggage);
  } catch (error) {
    diag.debug('tracehop: could not extract a Kafka message context', error);
    return trace.deleteSpan(active);
  }
}
