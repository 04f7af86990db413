import type { Context } from '@opentelemetry/api';
import { ROOT_CONTEXT, context as contextApi, diag } from '@opentelemetry/api';
import { extractMessageContext, injectMessageHeaders, standaloneResolver, type TracehopOptions } from '@tracehop/core';
import { decodeEnvelope } from './decode-envelope.js';
import { encodeEnvelope } from './encode-envelope.js';
import { INSTRUMENTATION_SCOPE } from './version.js';

const resolvedFor = standaloneResolver(INSTRUMENTATION_SCOPE);

function onlyStrings(headers: Record<string, unknown>): Record<string, string> {
  const text: Record<string, string> = {};
  for (const key of Object.keys(headers)) {
    const value = headers[key];
    if (typeof value === 'string' && key !== '__proto__') text[key] = value;
  }
  return text;
}

/**
 * Wraps `payload` in the tracehop envelope (docs/nsq-envelope.md) carrying `context` (default:
 * the active one) in the configured format, for messages published by other means than a
 * traced writer (`writer.publish(topic, injectNsqEnvelope(body))`). A string is sent as its
 * UTF-8 bytes, as nsqjs does. No span is made. Invalid options throw a TypeError; if the
 * context cannot be written, the payload is enveloped without it.
 */
export function injectNsqEnvelope(payload: string | Uint8Array, context: Context = contextApi.active(), options?: TracehopOptions): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const resolved = resolvedFor(options);
  try {
    return encodeEnvelope(body, onlyStrings(injectMessageHeaders(resolved, undefined, context)));
  } catch (error) {
    diag.warn('tracehop: could not write the trace context into the NSQ envelope; it carries none', error);
    return encodeEnvelope(body, {});
  }
}

/**
 * The context a traced reader would run this message's listeners in (before its own span),
 * from a message body as nsqd delivered it: built from the root context — nothing of the
 * caller's — with the producer's span as the remote parent under `inbound: 'parent'` (the
 * default; `'link'` and `'ignore'` give no span) and the envelope's baggage, filtered by the
 * `baggage` policy. A body that is not an envelope gives the empty root context; the payload
 * itself is `decodeEnvelope(body)?.body`. Never throws for any body.
 */
export function extractNsqContext(body: Uint8Array | null | undefined, options?: TracehopOptions): Context {
  const resolved = resolvedFor(options);
  try {
    const decoded = body == null ? undefined : decodeEnvelope(body);
    return decoded === undefined ? ROOT_CONTEXT : extractMessageContext(resolved, decoded.headers);
  } catch (error) {
    diag.debug('tracehop: could not read an NSQ envelope', error);
    return ROOT_CONTEXT;
  }
}
