// Shared by the @tracehop/nsqjs integration tests: real nsqjs writers and readers on the real
// nsqd, the suite's one tracing harness (../support/tracing.ts), unique topic names, and
// event-driven waits only (the test timeout bounds every wait; nothing sleeps).
import { randomUUID } from 'node:crypto';
import type { SpanContext } from '@opentelemetry/api';
import { context, propagation, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Reader, Writer, type Message, type ReaderConnectionConfigOptions } from 'nsqjs';
import { instrumentReader, instrumentWriter, type NsqReaderOptions, type NsqWriterOptions } from '@tracehop/nsqjs';
import { inject } from 'vitest';

export { parentSpanId } from '../support/tracing.js';

export const nsqd = () => inject('brokers');

/** A topic no other test or run uses (NSQ names: at most 64 of [.a-zA-Z0-9_-]). */
export const uniqueTopic = (what: string): string => `th-${what}-${randomUUID()}`.slice(0, 64);

export { createTracing } from '../support/tracing.js';
export type { Tracing } from '../support/tracing.js';

function hostPort(): [string, number] {
  const [h, p] = nsqd().nsqdTcpAddress.split(':') as [string, string];
  return [h, Number(p)];
}

/** A connected nsqjs Writer: wrapped with `options`, or raw when `options` is false. */
export async function openWriter(options: NsqWriterOptions | false): Promise<Writer> {
  const raw = new Writer(...hostPort());
  await new Promise<void>((resolve, reject) => {
    raw.once('ready', resolve);
    raw.once('error', reject);
    raw.connect();
  });
  return options === false ? raw : instrumentWriter(raw, options);
}

/** `writer.publish` as a promise (the callback's error rejects it). */
export function publish(writer: Writer, topic: string, msgs: Parameters<Writer['publish']>[1]): Promise<void> {
  return new Promise((resolve, reject) => writer.publish(topic, msgs, (error) => (error ? reject(error) : resolve())));
}

/** `writer.deferPublish` as a promise. */
export function deferPublish(writer: Writer, topic: string, msg: string[] | Buffer[], delayMs: number): Promise<void> {
  return new Promise((resolve, reject) => writer.deferPublish(topic, msg, delayMs, (error) => (error ? reject(error) : resolve())));
}

/** What a listener saw, taken while it ran (inside the process span). */
export interface Delivery {
  readonly message: Message;
  /** A copy of `message.body` as the listener saw it. */
  readonly body: Buffer;
  readonly event: 'message' | 'discard';
  readonly attempts: number;
  readonly active: SpanContext | undefined;
  readonly baggage: Record<string, string>;
}

export interface OpenReader {
  readonly reader: Reader;
  /** The next delivery, in arrival order (waits for it). */
  next(): Promise<Delivery>;
  close(): void;
}

/**
 * A subscribed nsqjs Reader (the channel exists once this resolves, so nothing published
 * afterwards is missed): wrapped with `options`, or raw when `options` is false.
 */
export async function openReader(
  topic: string,
  channel: string,
  options: NsqReaderOptions | false,
  readerOptions: ReaderConnectionConfigOptions = {},
): Promise<OpenReader> {
  const raw = new Reader(topic, channel, { nsqdTCPAddresses: [nsqd().nsqdTcpAddress], maxInFlight: 10, ...readerOptions });
  const reader = options === false ? raw : instrumentReader(raw, options);
  const queue: Delivery[] = [];
  const waiting: Array<(delivery: Delivery) => void> = [];
  const record = (event: Delivery['event']) => (message: Message) => {
    const entries = propagation.getBaggage(context.active())?.getAllEntries() ?? [];
    const delivery: Delivery = {
      message,
      body: Buffer.from(message.body),
      event,
      attempts: message.attempts,
      active: trace.getActiveSpan()?.spanContext(),
      baggage: Object.fromEntries(entries.map(([key, entry]) => [key, entry.value])),
    };
    const waiter = waiting.shift();
    if (waiter) waiter(delivery);
    else queue.push(delivery);
  };
  reader.on('message', record('message'));
  reader.on('discard', record('discard'));
  await new Promise<void>((resolve, reject) => {
    reader.once('ready', resolve);
    reader.once('error', reject);
    reader.connect();
  });
  return {
    reader,
    next: () => {
      const ready = queue.shift();
      return ready ? Promise.resolve(ready) : new Promise((resolve) => waiting.push(resolve));
    },
    close: () => reader.close(),
  };
}

/** nsqd's count of messages published to `topic` (its /stats endpoint). */
export async function topicMessageCount(topic: string): Promise<number> {
  const response = await fetch(`http://${nsqd().nsqdHttpAddress}/stats?format=json&topic=${encodeURIComponent(topic)}`);
  const stats = (await response.json()) as { topics: Array<{ topic_name: string; message_count: number }> };
  return stats.topics.find((entry) => entry.topic_name === topic)?.message_count ?? 0;
}

/** Lets nsqjs's `process.nextTick` work (FIN / REQ and the span end it triggers) happen. */
export const nextTick = (): Promise<void> => new Promise((resolve) => process.nextTick(resolve));

/** The `traceparent` a W3C propagator writes for a sampled span. */
export const traceparentOf = (span: ReadableSpan): string => `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`;
