import type { Context } from '@opentelemetry/api';
import { context as contextApi } from '@opentelemetry/api';
import { extractMessageContext, type HeaderMap, type TracehopOptions } from '@tracehop/core';
import { standaloneHeaders } from './publish-headers.js';
import { standaloneOptions } from './standalone-options.js';

/**
 * Returns a copy of an AMQP headers table with `context` (default: the active context) written
 * in the configured format (`propagator`, else `OTEL_PROPAGATORS`, …, as for the wrappers),
 * for messages published without an instrumented channel:
 *
 * ```ts
 * channel.publish(exchange, key, body, { headers: injectAmqpHeaders(myHeaders) });
 * ```
 *
 * The given object is never written to; stale values of every header the formats own are
 * left out of the copy; user values travel by reference (a Buffer stays the same bytes). The
 * copy stays within amqplib's 64 KiB header table: baggage is trimmed first if needed (see
 * the README). When no context can be added (the headers are already too large, or cannot
 * be read), the copy carries none, and no stale header of the formats either. No span is
 * made. Invalid options throw a TypeError; nothing else throws: not a throwing getter, a
 * Proxy, or a table whose prototype came from a `__proto__` header.
 */
export function injectAmqpHeaders(
  headers?: HeaderMap | null,
  context: Context = contextApi.active(),
  options?: TracehopOptions,
): Record<string, unknown> {
  // Options are checked first (a TypeError, as documented); from there on nothing throws.
  return standaloneHeaders(standaloneOptions(options), headers, context);
}

/**
 * The context a traced consumer would run this message's handler in (before its own span),
 * read from its headers (`message.properties.headers`; string and Buffer values alike) with
 * the configured extract formats: built from the root context — nothing of the caller's —
 * with the producer's span as the remote parent under `inbound: 'parent'` (the default;
 * `'link'` and `'ignore'` give no span) and the message's baggage, filtered by the `baggage`
 * policy. Invalid options throw a TypeError; nothing else throws.
 */
export function extractAmqpContext(headers: HeaderMap | null | undefined, options?: TracehopOptions): Context {
  return extractMessageContext(standaloneOptions(options), headers);
}
