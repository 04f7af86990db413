import { diag } from '@opentelemetry/api';
import { processMessage } from '@tracehop/core';
import type { Batch, KafkaMessage } from 'kafkajs';
import { batchEntry, inboundOf, type BatchEntry } from './batch-registry.js';
import { messageProcessAttributes } from './consumer.js';
import type { KafkaConsumeInfo, MessageContextOptions } from './types.js';

function runMessageWork<T>(entry: BatchEntry, batch: Batch, message: KafkaMessage, fn: () => T, wantSpan: boolean): T {
  const { state } = entry;
  const { resolved } = state.settings;
  const inbound = inboundOf(entry, message);
  // Per-message work nests in the batch span; with 'parent' and a valid producer context that
  // context is the parent instead (and the batch span a link: semconv "Message creation
  // context as parent" keeps the ambient span as a link); with 'link' it links to the producer.
  const asChild = resolved.inbound === 'parent' && inbound.spanContext !== undefined;
  const init = {
    name: `process ${batch.topic}`,
    attributes: () => messageProcessAttributes(state, batch.topic, batch.partition, message),
    carrier: undefined,
    inbound,
    base: entry.context,
    links: asChild && entry.span !== undefined ? [{ context: entry.span.spanContext() }] : undefined,
    hookInfo: { topic: batch.topic, partition: batch.partition, message, batch } satisfies KafkaConsumeInfo,
    withoutSpan: !wantSpan,
  };
  return processMessage(resolved, init, fn);
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
  return runMessageWork(entry, batch, message, fn, options?.span === true);
}
