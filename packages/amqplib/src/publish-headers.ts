import type { Context } from '@opentelemetry/api';
import { injectHeaders, type HeaderMap, type ResolvedOptions } from '@tracehop/core';
import { fitHeaderTable } from './fit-header-table.js';
import { fieldEntrySize } from './header-table-size.js';

/**
 * amqplib encodes every enumerable key `for…in` sees, inherited ones included (it builds the
 * table as `Object.create(options.headers)`). Core's `injectHeaders` copies own keys only, so
 * a headers object with a prototype of its own is flattened first, or inherited headers
 * would silently go missing. Plain objects, the usual case, pass through as they are.
 */
function enumerableHeaders(headers: object): HeaderMap {
  const proto: unknown = Object.getPrototypeOf(headers);
  if (proto === Object.prototype || proto === null) return headers as HeaderMap;
  const flat: Record<string, unknown> = {};
  for (const name in headers) {
    Object.defineProperty(flat, name, {
      value: (headers as Record<string, unknown>)[name],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return flat;
}

/** amqplib's `CC` / `BCC` option as it adds it to the header table (lib/api_args.js). */
function ccEntrySize(name: string, cc: unknown): number {
  if (cc === undefined) return 0;
  return fieldEntrySize(name, Array.isArray(cc) ? cc.map(String) : [String(cc)]);
}

/**
 * A copy of `headers` carrying `context`, sized to fit amqplib's header table, or undefined
 * when the caller's own headers are already too large (or not a table at all): they are then
 * sent untouched, and amqplib reacts exactly as it would without tracehop.
 */
export function headersWithContext(
  resolved: ResolvedOptions,
  headers: unknown,
  context: Context,
  extraBytes = 0,
): Record<string, unknown> | undefined {
  if (headers != null && typeof headers !== 'object') return undefined;
  const source = headers == null ? undefined : enumerableHeaders(headers);
  const injected = injectHeaders(source, context, resolved.injector, { owned: resolved.ownedHeaders });
  const fit = fitHeaderTable(injected, resolved.ownedHeaders, extraBytes);
  return fit.fits ? fit.headers : undefined;
}

/**
 * The options to publish with: a copy of the caller's options (never written to) whose
 * `headers` carry the context. The copy takes every enumerable option `for…in` sees, inherited
 * ones included, which is every option amqplib reads. (A copy, not `Object.create(options)`:
 * making the caller's object a prototype would also slow down every later use of it.)
 * Returns `options` itself when nothing can be injected (see `headersWithContext`).
 */
export function publishOptions(resolved: ResolvedOptions, options: unknown, context: Context): unknown {
  if (options != null && typeof options !== 'object') return options;
  const caller = options as { headers?: unknown; CC?: unknown; BCC?: unknown } | null | undefined;
  const extra = caller == null ? 0 : ccEntrySize('CC', caller.CC) + ccEntrySize('BCC', caller.BCC);
  const headers = headersWithContext(resolved, caller?.headers, context, extra);
  if (headers === undefined) return options;
  const copy: Record<string, unknown> = {};
  if (caller != null) {
    for (const name in caller) {
      // No publish option is named so; assigning it would set the copy's prototype.
      if (name !== '__proto__') copy[name] = (caller as Record<string, unknown>)[name];
    }
  }
  copy.headers = headers;
  return copy;
}
