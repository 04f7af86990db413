// The `handrolled` and `raw-header` variants' shared pieces (issue 18): what a careful user
// writes by hand instead of tracehop. `handrolled` uses the stock W3C propagators through the
// global propagator (telemetry.ts registers the composite NodeSDK registers by default), one
// PRODUCER span per message, one CONSUMER span per message around the handler, ended at
// settlement; `raw-header` carries a fixed traceparent's bytes and nothing else.
// Every call to the OpenTelemetry API the variant makes is in this file, so that a CPU profile
// charges it to `handrolled` (cpu-profile.ts), as it charges tracehop's to tracehop.
import { decodeEnvelope } from '@tracehop/nsqjs';
import type { ConsumeMessage } from 'amqplib';
import type { EachMessagePayload } from 'kafkajs';
import type { Message as NsqMessage } from 'nsqjs';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace, type Attributes, type Context, type Span, type TextMapGetter } from '@opentelemetry/api';

/** The header bytes `raw-header` carries: what the propagators write for the bench's upstream context. */
export const FIXED_TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

const tracer = () => trace.getTracer('handrolled');

/**
 * A PRODUCER span for one message, its context injected into `headers` through the global
 * propagator. The caller ends it when the publish has gone out.
 */
export function startSend(topic: string, system: string, headers: Record<string, unknown>, extra?: Attributes): Span {
  const attributes: Attributes = {
    'messaging.system': system,
    'messaging.destination.name': topic,
    'messaging.operation.type': 'send',
    'messaging.operation.name': 'send',
  };
  if (extra !== undefined) for (const key in extra) attributes[key] = extra[key];
  const span = tracer().startSpan(`send ${topic}`, { kind: SpanKind.PRODUCER, attributes });
  propagation.inject(trace.setSpan(context.active(), span), headers);
  return span;
}

/** Reads a header as a string whatever the client delivers it as (Kafka: Buffers). */
export const textGetter: TextMapGetter<Record<string, unknown> | undefined> = {
  keys: (carrier) => (carrier === undefined ? [] : Object.keys(carrier)),
  get(carrier, key) {
    const value = carrier?.[key];
    if (value === undefined || value === null) return undefined;
    return typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString() : String(value);
  },
};

/**
 * The CONSUMER span of one message, a child of what its headers carry, and the context to run
 * the handler in. The caller ends the span at settlement.
 */
export function startProcess(topic: string, system: string, headers: Record<string, unknown> | undefined, attributes: Attributes): { span: Span; context: Context } {
  // On the root, not the client's ambient context (what tracehop does too).
  const parent = propagation.extract(ROOT_CONTEXT, headers, textGetter);
  attributes['messaging.system'] = system;
  attributes['messaging.destination.name'] = topic;
  attributes['messaging.operation.type'] = 'process';
  attributes['messaging.operation.name'] = 'process';
  const span = tracer().startSpan(`process ${topic}`, { kind: SpanKind.CONSUMER, attributes }, parent);
  return { span, context: trace.setSpan(parent, span) };
}

/** Ends PRODUCER spans once their publish has gone out. */
export function endSends(spans: readonly Span[]): void {
  for (const span of spans) span.end();
}

/**
 * Runs a handler that settles its message synchronously (ack / finish) under the message's
 * CONSUMER span, which then ends at settlement, right after it.
 */
function processSettledSync<A extends unknown[]>(
  topic: string,
  system: string,
  headers: Record<string, unknown> | undefined,
  attributes: Attributes,
  handler: (...args: A) => void,
  ...args: A
): void {
  const { span, context: processContext } = startProcess(topic, system, headers, attributes);
  try {
    context.with(processContext, handler, undefined, ...args);
  } finally {
    span.end();
  }
}

/** Kafka's eachMessage under the message's CONSUMER span, ended when the handler's promise settles. */
export async function processKafkaMessage(groupId: string, { topic, partition, message }: EachMessagePayload, handler: () => Promise<void>): Promise<void> {
  const attributes: Attributes = {
    'messaging.consumer.group.name': groupId,
    'messaging.destination.partition.id': String(partition),
    'messaging.kafka.offset': Number(message.offset),
  };
  if (message.key !== null) attributes['messaging.kafka.message.key'] = message.key.toString();
  const { span, context: processContext } = startProcess(topic, 'kafka', message.headers, attributes);
  try {
    await context.with(processContext, handler);
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw error;
  } finally {
    span.end();
  }
}

/** An amqplib delivery under its CONSUMER span; the handler acks synchronously. */
export function processRabbitmqMessage(queue: string, message: ConsumeMessage | null, handler: (message: ConsumeMessage) => void): void {
  if (message === null) return;
  const attributes = {
    'messaging.rabbitmq.destination.routing_key': message.fields.routingKey,
    'messaging.rabbitmq.message.delivery_tag': message.fields.deliveryTag,
  };
  processSettledSync(queue, 'rabbitmq', message.properties.headers, attributes, handler, message);
}

/** An nsqjs message, its envelope decoded by hand, under its CONSUMER span; the handler finishes synchronously. */
export function processNsqMessage(topic: string, message: NsqMessage, handler: (message: NsqMessage, body: Buffer) => void): void {
  const decoded = decodeEnvelope(message.body);
  const attributes = {
    'messaging.consumer.group.name': 'bench',
    'messaging.message.id': message.id,
    'messaging.nsq.message.attempts': message.attempts,
  };
  processSettledSync(topic, 'nsq', decoded?.headers, attributes, handler, message, decoded?.body ?? message.body);
}
