import type { Context, Link } from '@opentelemetry/api';
import { diag, trace } from '@opentelemetry/api';
import { ATTR_MESSAGING_BATCH_MESSAGE_COUNT, runHookSafely, startConsumerSpan } from '@tracehop/core';
import type { EachBatchHandler, EachBatchPayload } from 'kafkajs';
import { inboundOf, registerBatch } from './batch-registry.js';
import { NO_INBOUND, processAttributes, type ConsumerState } from './consumer-state.js';
import { addOffsetAttribute } from './message-attributes.js';
import { runInSpan } from './run-in-span.js';

/**
 * Registers the batch for `withMessageContext` and starts its span; returns the context to run
 * the handler in, or undefined when no span is made. One CONSUMER `process {topic}` span for
 * the whole handler, with `messaging.batch.message_count` and one link per message that
 * carries a valid context (semconv messaging-spans, "Consumer spans": a span for several
 * messages links to each message's creation context; only a single message may use it as the
 * parent). The links carry each message's offset, which varies within the batch.
 */
function startBatch(state: ConsumerState, payload: EachBatchPayload): Context | undefined {
  const { batch } = payload;
  const entry = registerBatch(batch, state);
  const { resolved, consumerHook } = state.settings;
  if (resolved.tracer === undefined) return undefined;
  const links: Link[] = [];
  if (resolved.inbound !== 'ignore') {
    for (const message of batch.messages) {
      const { spanContext } = inboundOf(entry, message);
      if (spanContext === undefined) continue;
      const attributes = {};
      addOffsetAttribute(attributes, message.offset);
      links.push({ context: spanContext, attributes });
    }
  }
  const attributes = processAttributes(state, batch.topic, batch.partition);
  attributes[ATTR_MESSAGING_BATCH_MESSAGE_COUNT] = batch.messages.length;
  // No inbound parent: with 'parent' or 'ignore' the batch span is a new root, with 'link' a
  // child of the span active around the consumer.
  const { span, context } = startConsumerSpan(resolved, { name: `process ${batch.topic}`, attributes, inbound: NO_INBOUND, links });
  entry.span = span;
  if (span !== undefined && consumerHook !== undefined && span.isRecording()) {
    runHookSafely('consumerHook', consumerHook, span, { topic: batch.topic, partition: batch.partition, message: undefined, batch });
  }
  return span === undefined ? undefined : context;
}

/**
 * Wraps an `eachBatch` handler: one span around it (see `startBatch`), active while it runs,
 * ending when it settles; an error is recorded and rethrown unchanged. Per-message work gets
 * its own message's context through `withMessageContext(batch, message, fn)`.
 */
export function traceEachBatch(state: ConsumerState, handler: EachBatchHandler): EachBatchHandler {
  return function tracedEachBatch(this: unknown, payload: EachBatchPayload) {
    let context: Context | undefined;
    try {
      context = startBatch(state, payload);
    } catch (error) {
      diag.error('tracehop: could not trace a Kafka batch; it is processed without trace context', error);
      return handler.call(this, payload);
    }
    if (context === undefined) return handler.call(this, payload);
    return runInSpan(trace.getSpan(context), context, () => handler.call(this, payload));
  };
}
