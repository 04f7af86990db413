import { diag } from '@opentelemetry/api';
import { inboundContext, runHookSafely, startConsumerSpan, type InboundContext, type MessagingSpan, type ResolvedOptions } from '@tracehop/core';
import type { Batch, KafkaMessage } from 'kafkajs';
import { batchEntry, inboundOf, type BatchEntry } from './batch-registry.js';
import { processAttributes } from './consumer-state.js';
import { addMessageAttributes, addOffsetAttribute } from './message-attributes.js';
import { runInSpan } from './run-in-span.js';
import type { MessageContextOptions } from './types.js';

function startMessageWork(entry: BatchEntry, batch: Batch, message: KafkaMessage, wantSpan: boolean): MessagingSpan {
  const { state } = entry;
  const inbound = inboundOf(entry, message);
  const { resolved } = state.settings;
  // 'parent' with a valid producer context: that context is the parent. Otherwise the work
  // nests in the active (batch) span; with 'link' it links to the producer, with 'ignore' or
  // no inbound context it does not.
  const asChild = resolved.inbound === 'parent' && inbound.spanContext !== undefined;
  const options: ResolvedOptions = asChild ? resolved : state.nested;
  const used: InboundContext = resolved.inbound === 'ignore' ? { spanContext: undefined, baggage: inbound.baggage } : inbound;
  if (!wantSpan || resolved.tracer === undefined) return { span: undefined, context: inboundContext(options, used) };

  const attributes = processAttributes(state, batch.topic, batch.partition);
  addMessageAttributes(attributes, message.key, message.value);
  addOffsetAttribute(attributes, message.offset);
  // semconv "Message creation context as parent": when the producer's context is the parent
  // of work done inside another span, that ambient span SHOULD be kept as a link.
  const links = asChild && entry.span !== undefined ? [{ context: entry.span.spanContext() }] : undefined;
  const started = startConsumerSpan(options, { name: `process ${batch.topic}`, attributes, inbound: used, links });
  const { consumerHook } = state.settings;
  if (consumerHook !== undefined && started.span?.isRecording()) {
    runHookSafely('consumerHook', consumerHook, started.span, { topic: batch.topic, partition: batch.partition, message, batch });
  }
  return started;
}

/**
 * Runs per-message work of an `eachBatch` handler in that message's own restored context: the
 * producer's span as the parent (with `inbound: 'parent'`, the default) or the batch span as
 * the parent and a link to the producer (`'link'`), the message's baggage per the `baggage`
 * policy. With `{ span: true }` the work also gets its own CONSUMER `process {topic}` span,
 * which ends when `fn` settles and records its error. `fn`'s result, or error, is passed on
 * unchanged. For a batch that did not come through a traced consumer, `fn` simply runs.
 *
 * ```ts
 * await consumer.run({
 *   eachBatch: async ({ batch, resolveOffset }) => {
 *     for (const message of batch.messages) {
 *       await withMessageContext(batch, message, () => handle(message), { span: true });
 *       resolveOffset(message.offset);
 *     }
 *   },
 * });
 * ```
 */
export function withMessageContext<T>(batch: Batch, message: KafkaMessage, fn: () => T, options?: MessageContextOptions): T {
  const entry = batchEntry(batch);
  if (entry === undefined || typeof message !== 'object' || message === null) {
    diag.debug('tracehop: withMessageContext got a batch or message from no traced consumer; running it as is');
    return fn();
  }
  let started: MessagingSpan;
  try {
    started = startMessageWork(entry, batch, message, options?.span === true);
  } catch (error) {
    diag.error('tracehop: could not restore a Kafka message context; running without it', error);
    return fn();
  }
  return runInSpan(started.span, started.context, fn);
}
