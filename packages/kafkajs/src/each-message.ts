import { diag } from '@opentelemetry/api';
import { extractInbound, inboundContext, runHookSafely, startConsumerSpan, type MessagingSpan } from '@tracehop/core';
import type { EachMessageHandler, EachMessagePayload } from 'kafkajs';
import { processAttributes, type ConsumerState } from './consumer-state.js';
import { addMessageAttributes, addOffsetAttribute } from './message-attributes.js';
import { runInSpan } from './run-in-span.js';

/** The process span (or, propagate-only, just the context) of one `eachMessage` call. */
function startMessage(state: ConsumerState, payload: EachMessagePayload): MessagingSpan {
  const { resolved, consumerHook } = state.settings;
  const { topic, partition, message } = payload;
  const inbound = extractInbound(resolved, message.headers);
  if (resolved.tracer === undefined) return { span: undefined, context: inboundContext(resolved, inbound) };
  const attributes = processAttributes(state, topic, partition);
  addMessageAttributes(attributes, message.key, message.value);
  addOffsetAttribute(attributes, message.offset);
  const started = startConsumerSpan(resolved, { name: `process ${topic}`, attributes, inbound });
  if (consumerHook !== undefined && started.span?.isRecording()) {
    runHookSafely('consumerHook', consumerHook, started.span, { topic, partition, message, batch: undefined });
  }
  return started;
}

/**
 * Wraps an `eachMessage` handler: a CONSUMER `process {topic}` span per message, placed by the
 * `inbound` policy, with the message's context (and baggage, per policy) active for all the
 * handler's work. The span ends when the handler settles; its error is recorded and rethrown
 * as is, so kafkajs retries, commits and crashes exactly as without tracehop.
 */
export function traceEachMessage(state: ConsumerState, handler: EachMessageHandler): EachMessageHandler {
  return function tracedEachMessage(this: unknown, payload: EachMessagePayload) {
    let started: MessagingSpan;
    try {
      started = startMessage(state, payload);
    } catch (error) {
      diag.error('tracehop: could not trace a Kafka message; it is processed without trace context', error);
      return handler.call(this, payload);
    }
    return runInSpan(started.span, started.context, () => handler.call(this, payload));
  };
}
