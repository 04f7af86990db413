import type { Context } from '@opentelemetry/api';
import { context as contextApi } from '@opentelemetry/api';
import { extractMessageContext, injectMessageHeaders, standaloneResolver, type TracehopOptions } from '@tracehop/core';
import type { IHeaders } from 'kafkajs';
import { INSTRUMENTATION_SCOPE } from './version.js';

const resolvedFor = standaloneResolver(INSTRUMENTATION_SCOPE);

/**
 * Returns a copy of kafkajs message headers carrying `context` (default: the active one) in
 * the configured format, for messages sent by other means than a traced producer. Every
 * header the formats own is replaced, null and undefined values (which kafkajs rejects) are
 * left out, and every other value is kept as is: the very same Buffers, strings and arrays.
 * `headers` itself is never written to. Options are read once per options object; the
 * formats follow the SDK as for the wrappers. Invalid options throw a TypeError.
 */
export function injectKafkaHeaders(
  headers: IHeaders | null | undefined,
  context: Context = contextApi.active(),
  options?: TracehopOptions,
): IHeaders {
  return injectMessageHeaders(resolvedFor(options), headers, context, true) as IHeaders;
}

/**
 * The context a traced consumer would run this message's handler in (before its own span),
 * from a kafkajs message's headers (as received: Buffers, strings or arrays): built from the
 * root context — nothing of the caller's — with the producer's span as the remote parent
 * (`inbound: 'parent'`, the default; `'link'` and `'ignore'` give no span: build a link from
 * `trace.getSpanContext(extractKafkaContext(headers))`) and the message's baggage, filtered
 * by the `baggage` policy. Never throws for any header content.
 */
export function extractKafkaContext(headers: IHeaders | null | undefined, options?: TracehopOptions): Context {
  return extractMessageContext(resolvedFor(options), headers);
}
