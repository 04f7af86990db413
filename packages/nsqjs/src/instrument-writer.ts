import { context as contextApi, diag } from '@opentelemetry/api';
import { ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT, metricsActive, notAClient, proxyClient } from '@tracehop/core';
import { envelopeMessages } from './envelope-messages.js';
import type { MessageTooLargeError } from './errors.js';
import { startWriterSpans, type ServerAttributes, type WriterSpans } from './writer-spans.js';
import { resolveWriterOptions, type WriterSettings } from './resolve-nsq-options.js';
import { serializeForDefer, serializeForPublish } from './serialize-payloads.js';
import type { NsqPayload, NsqWriterLike, NsqWriterOptions } from './types.js';

type Callback = (this: unknown, ...args: unknown[]) => unknown;
type Send = (messages: Buffer[] | undefined, callback: Callback) => unknown;

function serverAttributes(writer: NsqWriterLike): ServerAttributes {
  const port = Number(writer.nsqdPort);
  return {
    ...(typeof writer.nsqdHost === 'string' && writer.nsqdHost !== '' ? { [ATTR_SERVER_ADDRESS]: writer.nsqdHost } : {}),
    ...(Number.isInteger(port) && port > 0 ? { [ATTR_SERVER_PORT]: port } : {}),
  };
}

/**
 * Traces and envelopes one publish, then hands it to nsqjs. The callback nsqjs receives
 * ends the `send` span and calls the user's callback with exactly nsqjs's arguments, in the
 * context that was active at the publish. Errors keep nsqjs's shape: given to the callback,
 * or thrown when there is none (as nsqjs's `_throwOrCallback` does). If tracehop itself
 * fails while preparing, the publish goes out exactly as the caller made it, untraced.
 */
function traced(
  settings: WriterSettings,
  server: ServerAttributes,
  topic: string,
  payloads: NsqPayload[],
  deferMs: number | undefined,
  callback: Callback | undefined,
  send: Send,
  untraced: () => unknown,
): unknown {
  const { resolved } = settings;
  const envelope = settings.envelope(topic);
  if (!envelope && resolved.tracer === undefined && !metricsActive(resolved.metrics)) return send(undefined, callback as Callback);

  const parent = contextApi.active();
  let spans: WriterSpans | undefined;
  let messages: Buffer[] | undefined;
  let tooLarge: MessageTooLargeError | undefined;
  try {
    spans = startWriterSpans(settings, topic, payloads, deferMs, server, parent);
    if (envelope) {
      const built = envelopeMessages(resolved, topic, payloads, spans.contexts, settings.maxMessageSize);
      messages = built.messages;
      tooLarge = built.error;
    }
    if (tooLarge === undefined) spans.publication.handOff();
  } catch (error) {
    spans?.publication.abort();
    diag.error('tracehop: could not trace an NSQ publish; it goes out without trace context', error);
    return untraced();
  }
  const { publication } = spans;
  if (tooLarge !== undefined) {
    publication.fail(tooLarge);
    if (callback) return callback(tooLarge);
    throw tooLarge;
  }

  let sync = true;
  const wrapped: Callback = function (this: unknown, ...args: unknown[]) {
    publication.end(args[0]);
    if (callback) return contextApi.with(parent, () => callback.apply(this, args));
    // nsqjs throws its own synchronous check errors when it was given no callback.
    if (sync && args[0]) throw args[0];
    return undefined;
  };
  try {
    return send(messages, wrapped);
  } catch (error) {
    publication.end(error);
    throw error;
  } finally {
    sync = false;
  }
}

/**
 * Instruments an nsqjs `Writer`: `publish` (one message, or an array sent as MPUB) and
 * `deferPublish` make PRODUCER spans (see `NsqWriterOptions.batchSpans`) and wrap every
 * message in the tracehop envelope carrying its span's context (docs/nsq-envelope.md).
 *
 * Returns a proxy of the writer — use it in place of the writer; the writer itself is not
 * modified. Every other property and method, events included, is the writer's own. Calls
 * that nsqjs would reject or mishandle on their shape (an empty message, something that does
 * not serialise, a `deferPublish` of anything but a one-element array) are passed to nsqjs
 * untouched and untraced, so that it fails exactly as it would have. Invalid options throw a
 * TypeError here.
 */
export function instrumentWriter<W extends NsqWriterLike>(writer: W, options?: NsqWriterOptions): W {
  if (
    writer === null ||
    typeof writer !== 'object' ||
    typeof writer.publish !== 'function' ||
    typeof writer.deferPublish !== 'function'
  ) {
    throw notAClient('nsqjs Writer');
  }
  const settings = resolveWriterOptions(options);
  const server = serverAttributes(writer);

  // The writer's own methods are called on the writer itself, not on the proxy: when nsqjs
  // retries a publish made before 'ready', its `this.publish(...)` must not envelope again.
  function publish(topic: string, msgs: unknown, callback?: Callback): unknown {
    const original = Reflect.get(writer, 'publish', writer) as (...args: unknown[]) => unknown;
    const payloads = typeof topic === 'string' && (callback == null || typeof callback === 'function') ? serializeForPublish(msgs) : undefined;
    if (payloads === undefined) return original.call(writer, topic, msgs, callback);
    return traced(
      settings,
      server,
      topic,
      payloads,
      undefined,
      callback ?? undefined,
      (messages, cb) => original.call(writer, topic, messages === undefined ? msgs : Array.isArray(msgs) ? messages : messages[0], cb),
      () => original.call(writer, topic, msgs, callback),
    );
  }

  function deferPublish(topic: string, msg: unknown, timeMs: number, callback?: Callback): unknown {
    const original = Reflect.get(writer, 'deferPublish', writer) as (...args: unknown[]) => unknown;
    const payload = typeof topic === 'string' && (callback == null || typeof callback === 'function') ? serializeForDefer(msg, timeMs) : undefined;
    if (payload === undefined) return original.call(writer, topic, msg, timeMs, callback);
    return traced(
      settings,
      server,
      topic,
      [payload],
      timeMs,
      callback ?? undefined,
      (messages, cb) => original.call(writer, topic, messages ?? msg, timeMs, cb),
      () => original.call(writer, topic, msg, timeMs, callback),
    );
  }

  return proxyClient(writer, { publish, deferPublish }, { kind: 'nsqjs Writer' });
}
