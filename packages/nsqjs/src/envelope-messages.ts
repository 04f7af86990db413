import type { Context } from '@opentelemetry/api';
import { diag } from '@opentelemetry/api';
import { injectMessageHeaders, type ResolvedOptions } from '@tracehop/core';
import { encodeHeaderBlock, envelopeSize, frameEnvelope, payloadByteLength } from './encode-envelope.js';
import { MessageTooLargeError } from './errors.js';
import type { NsqPayload } from './types.js';

const EMPTY_HEADER_BLOCK = Buffer.from([0, 0]);

/**
 * The headers a propagator wrote that the envelope can carry: string values, under any name
 * but `__proto__`. What tracehop's propagators write always is, and is then used as it is,
 * without a copy.
 */
function onlyText(injected: Record<string, unknown>): Record<string, string> {
  const keys = Object.keys(injected);
  let clean = true;
  for (let i = 0; i < keys.length && clean; i++) clean = typeof injected[keys[i]!] === 'string' && keys[i] !== '__proto__';
  if (clean) return injected as Record<string, string>;
  const headers: Record<string, string> = {};
  for (const key of keys) {
    const value = injected[key];
    if (typeof value === 'string' && key !== '__proto__') headers[key] = value;
  }
  return headers;
}

/** The encoded headers block carrying `context` in the writer's propagation format. */
function headerBlockFor(resolved: ResolvedOptions, context: Context): Buffer {
  // A fresh object per message: core's injectHeaders never writes to anything of the caller's.
  const injected = injectMessageHeaders(resolved, undefined, context);
  try {
    return encodeHeaderBlock(onlyText(injected));
  } catch (error) {
    // Only a propagator writing a header over 64 KiB gets here; the message still goes out.
    diag.warn('tracehop: the trace headers do not fit the NSQ envelope; the message is sent without context', error);
    return EMPTY_HEADER_BLOCK;
  }
}

/** The enveloped messages of a publish, or the error that stops it before anything is sent. */
export type EnvelopedMessages = { readonly messages: Buffer[]; readonly error?: undefined } | { readonly messages?: undefined; readonly error: MessageTooLargeError };

/**
 * Wraps each payload in an envelope carrying its own context. Messages that share a context
 * (a `'per-call'` batch, propagate-only mode) share one encoded headers block. Every size
 * is checked against `maxMessageSize` before any envelope is built.
 */
export function envelopeMessages(
  resolved: ResolvedOptions,
  topic: string,
  payloads: readonly NsqPayload[],
  contexts: readonly Context[],
  maxMessageSize: number,
): EnvelopedMessages {
  const blocks = new Array<Buffer>(payloads.length);
  const sizes = new Array<number>(payloads.length);
  let lastContext: Context | undefined;
  let lastBlock: Buffer | undefined;
  for (let i = 0; i < payloads.length; i++) {
    const context = contexts[i]!;
    const block = context === lastContext && lastBlock !== undefined ? lastBlock : headerBlockFor(resolved, context);
    lastContext = context;
    lastBlock = block;
    const bytes = payloadByteLength(payloads[i]!);
    const size = envelopeSize(block, bytes);
    if (size > maxMessageSize) return { error: new MessageTooLargeError(topic, size, maxMessageSize) };
    blocks[i] = block;
    sizes[i] = bytes;
  }
  const messages = new Array<Buffer>(payloads.length);
  for (let i = 0; i < payloads.length; i++) messages[i] = frameEnvelope(blocks[i]!, payloads[i]!, sizes[i]);
  return { messages };
}
