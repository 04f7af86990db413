import type { Attributes, Context, Link, Span } from '@opentelemetry/api';
import { SpanKind } from '@opentelemetry/api';
import {
  ATTR_MESSAGING_BATCH_MESSAGE_COUNT,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_DESTINATION_TEMPORARY,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
  MESSAGING_OPERATION_TYPE,
  MESSAGING_SYSTEM,
  runHookSafely,
  startProducerSpan,
} from '@tracehop/core';
import type { WriterSettings } from './resolve-nsq-options.js';
import type { NsqPayload } from './types.js';

/** Where the writer publishes: `server.address` / `server.port`, known per writer. */
export type ServerAttributes = Readonly<Attributes>;

/** The spans of one publish call and the context each of its messages carries. */
export interface ProducerSpans {
  /** One context per message, in order: what gets injected into its envelope. */
  readonly contexts: Context[];
  /** Spans that end when nsqd answers (the `send` span), or none in propagate-only mode. */
  readonly sendSpans: Span[];
  /** Per-message `create` spans; they end as soon as their message is built. */
  readonly createSpans: Span[];
}

function attributes(topic: string, operation: 'send' | 'create', server: ServerAttributes): Attributes {
  const attrs: Attributes = {
    [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM.nsq,
    [ATTR_MESSAGING_DESTINATION_NAME]: topic,
    [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE[operation],
    [ATTR_MESSAGING_OPERATION_NAME]: operation,
    ...server,
  };
  // NSQ deletes an `#ephemeral` topic once its last channel is gone: a temporary destination.
  if (topic.endsWith('#ephemeral')) attrs[ATTR_MESSAGING_DESTINATION_TEMPORARY] = true;
  return attrs;
}

/**
 * Starts the spans of a publish, following the messaging conventions (semconv
 * messaging-spans, "Producer spans"): one message → one PRODUCER `send {topic}` span whose
 * context the message carries. A batch (MPUB), `'per-message'` → one PRODUCER
 * `create {topic}` span per message, carried by that message, and a CLIENT `send {topic}`
 * span that links to each; `'per-call'` → one PRODUCER `send {topic}` span carried by every
 * message. Batch `send` spans get `messaging.batch.message_count`.
 */
export function startProducerSpans(
  settings: WriterSettings,
  topic: string,
  payloads: readonly NsqPayload[],
  deferMs: number | undefined,
  server: ServerAttributes,
  parent: Context,
): ProducerSpans {
  const { resolved, publishHook } = settings;
  const count = payloads.length;
  const batch = count > 1;
  if (resolved.tracer === undefined) return { contexts: new Array<Context>(count).fill(parent), sendSpans: [], createSpans: [] };

  const sendAttributes = attributes(topic, 'send', server);
  if (batch) sendAttributes[ATTR_MESSAGING_BATCH_MESSAGE_COUNT] = count;
  const name = `send ${topic}`;

  if (!batch || settings.batchSpans === 'per-call') {
    const { span, context } = startProducerSpan(resolved, { name, attributes: sendAttributes, parent });
    if (span !== undefined) runHookSafely('publishHook', publishHook, span, { topic, operation: 'send', payloads, deferMs });
    return { contexts: new Array<Context>(count).fill(context), sendSpans: span ? [span] : [], createSpans: [] };
  }

  const contexts = new Array<Context>(count);
  const createSpans: Span[] = [];
  const links: Link[] = [];
  const createAttributes = attributes(topic, 'create', server);
  for (let i = 0; i < count; i++) {
    const { span, context } = startProducerSpan(resolved, { name: `create ${topic}`, attributes: createAttributes, parent });
    contexts[i] = context;
    if (span === undefined) continue;
    runHookSafely('publishHook', publishHook, span, { topic, operation: 'create', payloads: [payloads[i]!], deferMs });
    createSpans.push(span);
    links.push({ context: span.spanContext() });
  }
  const send = resolved.tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes: sendAttributes, links }, parent);
  runHookSafely('publishHook', publishHook, send, { topic, operation: 'send', payloads, deferMs });
  return { contexts, sendSpans: [send], createSpans };
}
