import type { Attributes, Context } from '@opentelemetry/api';
import {
  ATTR_MESSAGING_BATCH_MESSAGE_COUNT,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_DESTINATION_TEMPORARY,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  MESSAGING_OPERATION_TYPE,
  MESSAGING_SYSTEM,
  Publication,
  addDeprecatedNames,
  type MessagingNames,
} from '@tracehop/core';
import { sendMetricAttributes } from './metric-attributes.js';
import type { WriterSettings } from './resolve-nsq-options.js';
import type { NsqPayload, NsqPublishInfo } from './types.js';

/** Where the writer publishes: `server.address` / `server.port`, known per writer. */
export type ServerAttributes = Readonly<Attributes>;

function attributes(names: MessagingNames, topic: string, operation: 'send' | 'create', server: ServerAttributes): Attributes {
  const attrs: Attributes = {
    [ATTR_MESSAGING_DESTINATION_NAME]: topic,
    [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE[operation],
    [ATTR_MESSAGING_OPERATION_NAME]: operation,
    ...server,
  };
  // `messaging.system` / `messaging.system.name` per OTEL_SEMCONV_STABILITY_OPT_IN.
  attrs[names.system] = MESSAGING_SYSTEM.nsq;
  // NSQ deletes an `#ephemeral` topic once its last channel is gone: a temporary destination.
  if (topic.endsWith('#ephemeral')) attrs[ATTR_MESSAGING_DESTINATION_TEMPORARY] = true;
  return addDeprecatedNames(names, attrs);
}

/** The spans of one publish (core's Publication) and the context each message carries. */
export interface WriterSpans {
  readonly publication: Publication;
  /** One context per message, in order: what its envelope carries. */
  readonly contexts: Context[];
}

/**
 * Starts the spans of a publish — one message: a PRODUCER `send {topic}`; an MPUB: per
 * `batchSpans`, `create {topic}` spans and a CLIENT `send {topic}`, or one PRODUCER `send`
 * (core's Publication) — and runs `publishHook` once per message.
 */
export function startWriterSpans(
  settings: WriterSettings,
  topic: string,
  payloads: readonly NsqPayload[],
  deferMs: number | undefined,
  server: ServerAttributes,
  parent: Context,
): WriterSpans {
  const count = payloads.length;
  const publication = new Publication(settings.resolved, {
    name: `send ${topic}`,
    attributes: () => {
      const sendAttributes = attributes(settings.resolved.semconv, topic, 'send', server);
      if (count > 1) sendAttributes[ATTR_MESSAGING_BATCH_MESSAGE_COUNT] = count;
      return sendAttributes;
    },
    count,
    parent,
    metrics: () => ({ operation: sendMetricAttributes(settings.resolved.semconv, topic, server) }),
  });
  const operation = publication.perMessage ? 'create' : 'send';
  const createAttributes = publication.perMessage ? attributes(settings.resolved.semconv, topic, 'create', server) : undefined;
  const contexts = new Array<Context>(count);
  for (let i = 0; i < count; i++) {
    contexts[i] = publication.contextFor(() => ({ name: `create ${topic}`, attributes: createAttributes! }));
    const info: NsqPublishInfo = { topic, operation, payload: payloads[i]!, deferMs };
    publication.hook(info);
  }
  return { publication, contexts };
}
