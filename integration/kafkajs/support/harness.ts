// Shared plumbing of the kafkajs integration suites: consumers that record what they saw,
// waiting for a message without sleeping, and reading headers exactly as they came off the
// wire. Nothing here mocks the broker.
import { context, propagation, trace, type Span } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Consumer, ConsumerConfig, EachMessagePayload, IHeaders, logCreator } from 'kafkajs';
import { logLevel } from 'kafkajs';
import type { Tracing as TestTracing } from '../../support/tracing.js';

/** One delivery as a consumer saw it, with the context that was active in its handler. */
export interface Received {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders;
  /** The active span inside the handler, after an await. */
  readonly traceId: string | undefined;
  readonly spanId: string | undefined;
  readonly baggage: Readonly<Record<string, string>>;
}

const WAIT_MS = 30_000;

/** Deliveries in arrival order, and a way to wait for one that matches. */
export class Inbox {
  readonly items: Received[] = [];
  readonly #waiters: Array<{ match: (item: Received) => boolean; resolve: (item: Received) => void }> = [];

  push(item: Received): void {
    this.items.push(item);
    for (const waiter of [...this.#waiters]) {
      if (!waiter.match(item)) continue;
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.resolve(item);
    }
  }

  /** Every delivery of the message with this key. */
  byKey(key: string): Received[] {
    return this.items.filter((item) => item.key?.toString() === key);
  }

  /** Resolves with the first delivery that matches (already there, or to come). */
  waitFor(match: (item: Received) => boolean, what: string): Promise<Received> {
    const found = this.items.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve: (item: Received) => (clearTimeout(timer), resolve(item)) };
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error(`no delivery of ${what} within ${WAIT_MS} ms`));
      }, WAIT_MS);
      this.#waiters.push(waiter);
    });
  }

  key(key: string): Promise<Received> {
    return this.waitFor((item) => item.key?.toString() === key, `key ${key}`);
  }
}

/** What a handler sees: the message as delivered, and the active context after an await. */
export async function observe(payload: Pick<EachMessagePayload, 'topic' | 'partition' | 'message'>): Promise<Received> {
  await new Promise((resolve) => setImmediate(resolve));
  const active = context.active();
  const spanContext = trace.getSpanContext(active);
  const entries = propagation.getBaggage(active)?.getAllEntries() ?? [];
  const { message } = payload;
  return {
    topic: payload.topic,
    partition: payload.partition,
    offset: message.offset,
    key: message.key,
    value: message.value,
    headers: message.headers ?? {},
    traceId: spanContext?.traceId,
    spanId: spanContext?.spanId,
    baggage: Object.fromEntries(entries.map(([key, entry]) => [key, entry.value])),
  };
}

/** An eachMessage handler that records every delivery into `inbox`. */
export const recordInto =
  (inbox: Inbox) =>
  async (payload: EachMessagePayload): Promise<void> => {
    inbox.push(await observe(payload));
  };

/** Consumer settings that keep a test file fast: short fetch waits, quick rebalances. */
export function consumerConfig(groupId: string, extra: Partial<ConsumerConfig> = {}): ConsumerConfig {
  return {
    groupId,
    maxWaitTimeInMs: 200,
    heartbeatInterval: 200,
    sessionTimeout: 6_000,
    retry: { initialRetryTime: 100, retries: 5 },
    ...extra,
  };
}

/** Connects, subscribes from the beginning, and runs; resolves once the group is joined. */
export async function startConsumer(consumer: Consumer, topics: string[], run: Parameters<Consumer['run']>[0]): Promise<void> {
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  // kafkajs' run resolves after the first join and sync.
  await consumer.run(run);
}

/** Header values as text, the way a peer in another language would read them. */
export function headersAsText(headers: IHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.map((item) => item.toString()) : value.toString();
  }
  return out;
}

/** Polls the exporter until the span with this id has ended (spans end after their handler). */
export function endedSpan(tracing: TestTracing, spanId: string | undefined): Promise<ReadableSpan> {
  return until(() => tracing.spans().find((candidate) => candidate.spanContext().spanId === spanId), `span ${spanId} to end`);
}

/** Runs `fn` in a new active span (with baggage, if given) and ends it. */
export async function inSpan<T>(tracing: TestTracing, baggage: Record<string, string> | undefined, fn: () => Promise<T>): Promise<{ span: Span; result: T }> {
  const span = tracing.provider.getTracer('integration').startSpan('checkout');
  let ctx = trace.setSpan(context.active(), span);
  if (baggage) {
    ctx = propagation.setBaggage(ctx, propagation.createBaggage(Object.fromEntries(Object.entries(baggage).map(([k, v]) => [k, { value: v }]))));
  }
  const result = await context.with(ctx, fn);
  span.end();
  return { span, result };
}

/** A kafkajs logCreator that keeps the error objects kafkajs logs (the ones handlers threw). */
export function errorCollector(): { logCreator: logCreator; errors: unknown[] } {
  const errors: unknown[] = [];
  const creator: logCreator = () => (entry) => {
    const logged = (entry.log as { error?: unknown }).error;
    if (entry.level === logLevel.ERROR && logged !== undefined) errors.push(logged);
  };
  return { logCreator: creator, errors };
}

/** Polls `probe` until it returns something (never sleeps a fixed time in a test). */
export async function until<T>(probe: () => T | undefined | false, what: string): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${WAIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
