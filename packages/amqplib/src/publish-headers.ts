import type { Context } from '@opentelemetry/api';
import { diag } from '@opentelemetry/api';
import { injectHeaders, isOwnedHeader, type HeaderMap, type OwnedHeaders, type ResolvedOptions } from '@tracehop/core';
import { fitHeaderTable } from './fit-header-table.js';
import { headerTableLimit } from './frame-limit.js';
import { HEADER_TABLE_LIMIT, fieldEntrySize } from './header-table-size.js';

/** Defines `name` as an own, enumerable data property (a `__proto__` header stays a header). */
function define(target: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * A plain copy of every key `for…in` sees (amqplib encodes inherited enumerable keys too),
 * `skip`ped ones left out. A key whose value cannot be read (a throwing getter, a Proxy trap,
 * the accessors of a Buffer that amqplib's decoder made a table's prototype from a
 * `__proto__` header) is left out too: amqplib could not encode it either. Never throws.
 */
export function copyReadable(headers: object, skip?: (name: string) => boolean): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  try {
    for (const name in headers) {
      if (skip?.(name) === true) continue;
      try {
        define(copy, name, (headers as Record<string, unknown>)[name]);
      } catch {
        diag.debug(`tracehop: the AMQP header "${name}" could not be read and is left out`);
      }
    }
  } catch (error) {
    diag.debug('tracehop: the AMQP headers could not be enumerated', error);
  }
  return copy;
}

/**
 * amqplib encodes every enumerable key `for…in` sees, inherited ones included (it builds the
 * table as `Object.create(options.headers)`). Core's `injectHeaders` copies own keys only, so
 * a headers object with a prototype of its own is flattened first, or inherited headers
 * would silently go missing. Plain objects, the usual case, pass through as they are.
 */
function enumerableHeaders(headers: object): HeaderMap {
  const proto: unknown = Object.getPrototypeOf(headers);
  if (proto === Object.prototype || proto === null) return headers as HeaderMap;
  return copyReadable(headers);
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
  limit = HEADER_TABLE_LIMIT,
): Record<string, unknown> | undefined {
  if (headers != null && typeof headers !== 'object') return undefined;
  const source = headers == null ? undefined : enumerableHeaders(headers);
  const injected = injectHeaders(source, context, resolved.injector, { owned: resolved.ownedHeaders });
  const fit = fitHeaderTable(injected, resolved.ownedHeaders, extraBytes, limit);
  return fit.fits ? fit.headers : undefined;
}

/**
 * What `injectAmqpHeaders` returns: a copy of `headers` carrying `context`, or, when that
 * cannot be (the caller's own headers are already too large, or reading them failed), a copy
 * without context — and without any header the formats own, so that a stale `traceparent`
 * (say, of the message being re-published) never travels as if it were this message's.
 * Never throws.
 */
export function standaloneHeaders(resolved: ResolvedOptions, headers: unknown, context: Context): Record<string, unknown> {
  try {
    const injected = headersWithContext(resolved, headers, context);
    if (injected !== undefined) return injected;
    diag.warn('tracehop: the headers are already too large for an AMQP header table; no context was added');
  } catch (error) {
    diag.warn('tracehop: could not inject AMQP headers; no context was added', error);
  }
  if (headers === null || typeof headers !== 'object') return {};
  const owned: OwnedHeaders = resolved.ownedHeaders;
  return copyReadable(headers, (name) => isOwnedHeader(owned, name));
}

/**
 * The options to publish with: a copy of the caller's options (never written to) whose
 * `headers` carry the context. The copy takes every enumerable option `for…in` sees, inherited
 * ones included, which is every option amqplib reads. (A copy, not `Object.create(options)`:
 * making the caller's object a prototype would also slow down every later use of it.)
 * Returns `options` itself when nothing can be injected (see `headersWithContext`).
 * `channel` is amqplib's channel the message goes out on: its connection's negotiated
 * `frameMax` bounds the header table (frame-limit.ts); without it, 64 KiB does.
 */
export function publishOptions(resolved: ResolvedOptions, options: unknown, context: Context, channel?: object): unknown {
  if (options != null && typeof options !== 'object') return options;
  const caller = options as { headers?: unknown; CC?: unknown; BCC?: unknown } | null | undefined;
  const extra = caller == null ? 0 : ccEntrySize('CC', caller.CC) + ccEntrySize('BCC', caller.BCC);
  // The table must also fit the connection's negotiated frame size, not only amqplib's 64 KiB.
  const limit = headerTableLimit(channel, caller);
  const headers = headersWithContext(resolved, caller?.headers, context, extra, limit);
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
