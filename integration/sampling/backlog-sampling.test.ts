// Backlog-aware sampling on the real brokers (docs/sampling.md): a backlog several times the
// consumer's capacity is published before the consumer starts; while it drains, the fraction
// of messages with spans follows the rule, returns to 1 when the backlog is gone, skipped
// messages keep their context, and two consumers of one trace decide alike.
import { ROOT_CONTEXT, context, trace } from '@opentelemetry/api';
import { backlogRate, samplingOf } from '@tracehop/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { AdapterDriver, Pipe } from '../contract/driver.js';
import { amqplibDriver } from '../contract/drivers/amqplib.js';
import { kafkaDriver } from '../contract/drivers/kafkajs.js';
import { nsqjsDriver } from '../contract/drivers/nsqjs.js';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createTracing, type Tracing } from '../support/tracing.js';

const CAPACITY = 100;
const BACKLOG = 4 * CAPACITY;
const drivers: AdapterDriver[] = [kafkaDriver, amqplibDriver, nsqjsDriver];

/** One delivery as the handler saw it. */
interface Seen {
  readonly payload: string;
  /** The handler ran inside a (recording) process span. */
  readonly kept: boolean;
  /** The consumer's rate and measured backlog when the message was decided. */
  readonly rate: number;
  readonly backlog: number;
  /** Whether the consumer had measured its backlog yet when it decided. */
  readonly measured: boolean;
  /** The upstream send span's id, and the parent of a span the handler made. */
  readonly downstreamParent: string | undefined;
  readonly traceId: string | undefined;
}

const pipes: Pipe[] = [];
afterEach(async () => {
  for (const pipe of pipes.splice(0)) await pipe.close().catch(() => undefined);
});

/** Publishes `count` messages, each the first span of its own trace. */
async function publishTraces(pipes: Pipe[], tracing: Tracing, count: number, prefix: string): Promise<void> {
  const tracer = tracing.provider.getTracer('app');
  for (let i = 0; i < count; i++) {
    const root = tracer.startSpan(`order ${i}`, undefined, ROOT_CONTEXT);
    await context.with(trace.setSpan(ROOT_CONTEXT, root), () => Promise.all(pipes.map((pipe) => pipe.publish(`${prefix}-${i}`))));
    root.end();
  }
}

function consumeAll(pipe: Pipe, tracing: Tracing, destination: string, count: number): { seen: Seen[]; done: Promise<void> } {
  const seen: Seen[] = [];
  const tracer = tracing.provider.getTracer('downstream');
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const started = pipe.consume((delivery) => {
    const active = trace.getActiveSpan();
    const sampling = samplingOf(destination);
    // Work the handler does downstream: it must join the upstream trace, kept or not.
    const downstream = tracer.startSpan('downstream');
    downstream.end();
    const downstreamParent = (downstream as unknown as ReadableSpan).parentSpanContext?.spanId;
    seen.push({
      payload: delivery.payload,
      kept: active?.isRecording() === true,
      rate: sampling?.rate ?? Number.NaN,
      backlog: sampling?.backlog ?? Number.NaN,
      measured: sampling?.measured ?? false,
      downstreamParent,
      traceId: active?.spanContext().traceId,
    });
    delivery.settle();
    if (seen.length === count) finish();
  });
  return { seen, done: started.then(() => done) };
}

function destinationOf(driver: AdapterDriver, pipe: Pipe): string {
  return driver.processSpanName(pipe).slice('process '.length);
}

describe.each(drivers)('backlog sampling on $name', (driver) => {
  it('while a backlog of 4× capacity drains, spans follow the rule, and all messages are traced again once it is gone', async () => {
    const tracing = createTracing();
    const pipe = await driver.open({ tracerProvider: tracing.provider, sampling: { backlog: { capacity: CAPACITY, pollIntervalMs: 50 } } } as never);
    pipes.push(pipe);
    await publishTraces([pipe], tracing, BACKLOG, 'backlog');
    const destination = destinationOf(driver, pipe);
    const { seen, done } = consumeAll(pipe, tracing, destination, BACKLOG);
    await done;

    // The decisions follow the rates the consumer measured: kept ≈ Σ r, within 4 σ (+3).
    const expected = seen.reduce((sum, item) => sum + item.rate, 0);
    const sigma = Math.sqrt(seen.reduce((sum, item) => sum + item.rate * (1 - item.rate), 0));
    expect(Math.abs(seen.filter((item) => item.kept).length - expected)).toBeLessThanOrEqual(4 * sigma + 3);
    // The rates follow the rule for the backlog that was really left behind each message
    // (what the broker had not yet handed out: up to the prefetch / in-flight window off).
    // Before its first answer from the broker a consumer knows no backlog and traces: that is
    // only what arrives before that answer: a few prefetch / in-flight windows (RabbitMQ opens
    // its probe channel first; nsqd answers /stats once the reader's channel exists).
    expect(seen.filter((item) => !item.measured).length).toBeLessThanOrEqual(BACKLOG * 0.2);
    // After the first poll interval of deliveries (a broker's first answer may catch the
    // channel still filling), the rates lie within the rule for the backlog really left behind
    // each message — give or take what the broker had handed out but not yet counted (the
    // prefetch / in-flight window, and the deliveries while an answer was on its way): for
    // seven messages in ten at least, even on a machine whose cores the brokers must share.
    const settledFrom = seen.findIndex((item) => item.measured) + 60;
    const slack = 60;
    const decided = seen.slice(settledFrom);
    const within = decided.filter((item, offset) => {
      const left = BACKLOG - 1 - (settledFrom + offset);
      return (
        item.rate >= backlogRate(left + slack, CAPACITY, 0.01) - 1e-9 && item.rate <= backlogRate(Math.max(0, left - slack), CAPACITY, 0.01) + 1e-9
      );
    });
    expect(within.length).toBeGreaterThanOrEqual(decided.length * 0.7);
    // Deep in the backlog nearly nothing is traced; at its end nearly everything.
    const first = seen.slice(0, BACKLOG / 2);
    expect(first.filter((item) => item.kept && item.measured).length).toBeLessThanOrEqual(first.length * 0.06 + 3);
    // Every message — kept or skipped — ran in its upstream trace: the handler's own span is a
    // child of the process span, or (skipped) of the producer's send span itself.
    const kept = seen.filter((item) => item.kept).length;
    await tracing.waitUntil(() => tracing.spansNamed(driver.processSpanName(pipe)).length >= kept);
    const sends = new Map(tracing.spans().filter((span) => span.name.startsWith('send ')).map((span) => [span.spanContext().traceId, span.spanContext().spanId]));
    const processes = new Set(tracing.spansNamed(driver.processSpanName(pipe)).map((span) => span.spanContext().spanId));
    for (const item of seen) {
      if (item.kept) expect(processes.has(item.downstreamParent!)).toBe(true);
      else expect([...sends.values()]).toContain(item.downstreamParent);
    }

    // The backlog is gone, and the broker has said so: an answer already on its way when the
    // drain ended may still count a message or two, and any backlog at all keeps the rate
    // below 1 (the rule), so the tail starts once a later answer is in.
    const sampling = samplingOf(destination)!;
    await new Promise((resolve) => setTimeout(resolve, 3 * 50));
    await tracing.waitUntil(() => sampling.backlog === 0 && sampling.rate === 1);
    // Then one message at a time, every one traced (the handler goes on recording into `seen`).
    for (let i = 0; i < 10; i++) {
      await publishTraces([pipe], tracing, 1, `tail-${i}`);
      await tracing.waitUntil(() => seen.length >= BACKLOG + i + 1);
    }
    // Every one kept; the rate is back at 1 as soon as the broker's next answer says so.
    const tail = seen.slice(BACKLOG);
    expect(tail.map((item) => item.kept)).toEqual(Array.from({ length: 10 }, () => true));
    expect(tail.slice(-3).map((item) => item.rate)).toEqual([1, 1, 1]);
  });

  it('two consumers of one trace under the same pressure keep and skip the same traces', async () => {
    const tracing = createTracing();
    // The same pressure for both: a backlog each measures as half its capacity (r = 0.55).
    const options = { tracerProvider: tracing.provider, sampling: { backlog: { capacity: CAPACITY, pollIntervalMs: 20, backlog: () => CAPACITY / 2 } } };
    const a = await driver.open(options as never);
    const b = await driver.open(options as never);
    pipes.push(a, b);
    const count = 120;
    const seenA = consumeAll(a, tracing, destinationOf(driver, a), count);
    const seenB = consumeAll(b, tracing, destinationOf(driver, b), count);
    await publishTraces([a, b], tracing, count, 'pair');
    await Promise.all([seenA.done, seenB.done]);
    const decisions = (seen: Seen[]) => new Map(seen.map((item) => [item.payload, item.kept]));
    expect(decisions(seenB.seen)).toEqual(decisions(seenA.seen));
    const kept = seenA.seen.filter((item) => item.kept).length;
    expect(kept).toBeGreaterThan(count * 0.35);
    expect(kept).toBeLessThan(count * 0.75);
  });
});
