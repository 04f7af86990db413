import type { Context } from '@opentelemetry/api';
import { context as contextApi, diag } from '@opentelemetry/api';
import { extractInbound, inboundContext, type HeaderMap, type TracehopOptions } from '@tracehop/core';
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
 * The context a received message's work belongs in, read from its headers
 * (`message.properties.headers`; string and Buffer values alike) with the configured extract
 * formats, and the `inbound` and `baggage` policies applied to the active context:
 * - `'parent'` (default): the producer's span becomes the current span, so spans started in
 *   the result continue the producer's trace; without a valid inbound context, no span;
 * - `'link'`: the active span stays current (to link, start a span with a link to
 *   `trace.getSpanContext(extractAmqpContext(headers, { inbound: 'parent' }))`);
 * - `'ignore'`: no span.
 * Inbound baggage, filtered by the `baggage` policy, replaces the active baggage. Invalid
 * options throw a TypeError; nothing else throws.
 */
export function extractAmqpContext(headers: HeaderMap | null | undefined, options?: TracehopOptions): Context {
  const resolved = standaloneOptions(options);
  try {
    return inboundContext(resolved, extractInbound(resolved, headers));
  } catch (error) {
    diag.warn('tracehop: could not extract an AMQP context', error);
    return contextApi.active();
  }
}
