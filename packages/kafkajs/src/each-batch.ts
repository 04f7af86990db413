import type { Link, Span } from '@opentelemetry/api';
import { context as contextApi, diag } from '@opentelemetry/api';
import {
  ATTR_MESSAGING_BATCH_MESSAGE_COUNT,
  NO_INBOUND,
  addDeprecatedNames,
  ProcessMeasure,
  runHookSafely,
  runInSpan,
  startConsumerSpan,
} from '@tracehop/core';
import type { EachBatchHandler, EachBatchPayload } from 'kafkajs';
import { inboundOf, registerBatch, type BatchEntry } from './batch-registry.js';
import { processAttributes, type ConsumerState } from './consumer.js';
import { addOffsetAttribute } from './message-attributes.js';
import { processMetricAttributes, recordTimestamp } from './metric-attributes.js';
import type { KafkaConsumeInfo } from './types.js';

/**
 * Registers the batch for `withMessageContext` and starts its span; returns the context to run
 * the handler in, or undefined when no span is made. One CONSUMER `process {topic}` span for
 * the whole handler, a new root, with `messaging.batch.message_count` and one link per message
 * that carries a valid context (semconv messaging-spans, "Consumer spans": a span for several
 * messages links to each message's creation context; only a single message may use it as the
 * parent). The links carry each message's offset, which varies within the batch.
 */
function startBatch(state: ConsumerState, payload: EachBatchPayload): BatchEntry | undefined {
  const { batch } = payload;
  const entry = registerBatch(batch, state);
  const { resolved } = state.settings;
  if (resolved.tracer === undefined) return undefined;
  const links: Link[] = [];
  if (resolved.inbound !== 'ignore') {
    for (const message of batch.messages) {
      const { spanContext } = inboundOf(entry, message);
      if (spanContext === undefined) continue;
      const attributes = {};
      addOffsetAttribute(resolved.semconv, attributes, message.offset);
      links.push({ context: spanContext, attributes: addDeprecatedNames(resolved.semconv, attributes) });
    }
  }
  const attributes = addDeprecatedNames(resolved.semconv, processAttributes(state, batch.topic, batch.partition));
  attributes[ATTR_MESSAGING_BATCH_MESSAGE_COUNT] = batch.messages.length;
  const { span, context } = startConsumerSpan(resolved, { name: `process ${batch.topic}`, attributes, inbound: NO_INBOUND, links });
  entry.span = span;
  entry.context = context;
  const hook = resolved.consumeHook as ((span: Span, info: KafkaConsumeInfo) => void) | undefined;
  if (span !== undefined && hook !== undefined && span.isRecording()) {
    runHookSafely('consumeHook', hook, span, { topic: batch.topic, partition: batch.partition, message: undefined, batch });
  }
  return span === undefined ? undefined : entry;
}

/**
 * The batch's metrics (with or without spans): one `process` operation that delivers all of
 * its messages — counted together, one duration, the batch span's — and how long each of
 * them waited since its record timestamp, up to the start of the batch. An empty batch
 * delivers nothing and records nothing.
 */
function measureBatch(state: ConsumerState, payload: EachBatchPayload): ProcessMeasure | undefined {
  const { batch } = payload;
  const count = batch.messages.length;
  if (count === 0) return undefined;
  const measure = ProcessMeasure.start(state.settings.resolved.metrics, {
    attributes: () => processMetricAttributes(state, batch.topic, batch.partition),
    count,
  });
  if (measure !== undefined) for (const message of batch.messages) measure.waited(recordTimestamp(message.timestamp));
  return measure;
}

/**
 * Wraps an `eachBatch` handler: one span around it (see `startBatch`), active while it runs,
 * ending when it settles, with the batch's metrics; an error is recorded and rethrown
 * unchanged. Per-message work gets its own message's context through
 * `withMessageContext(batch, message, fn)`.
 */
export function traceEachBatch(state: ConsumerState, handler: EachBatchHandler): EachBatchHandler {
  return function tracedEachBatch(this: unknown, payload: EachBatchPayload) {
    let entry: BatchEntry | undefined;
    let measure: ProcessMeasure | undefined;
    try {
      measure = measureBatch(state, payload);
      entry = startBatch(state, payload);
    } catch (error) {
      diag.error('tracehop: could not trace a Kafka batch; it is processed without trace context', error);
      entry = undefined;
    }
    if (entry !== undefined) return runInSpan(entry.span, entry.context, () => handler.call(this, payload), measure);
    if (measure === undefined) return handler.call(this, payload);
    // Metrics without a span: the handler runs where it would without tracehop, measured.
    return runInSpan(undefined, contextApi.active(), () => handler.call(this, payload), measure);
  };
}
