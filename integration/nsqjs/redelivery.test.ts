// Settlement on the real nsqd: the process span ends on requeue() and on the message timeout,
// and the redelivered message continues the same producer context; a message past
// maxAttempts reaches 'discard' listeners unwrapped.
import { SpanStatusCode } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { createTracing, nextTick, openReader, openWriter, parentSpanId, publish, uniqueTopic } from './support.js';

const tracing = createTracing();
const opened: Array<{ close(): void }> = [];
afterEach(() => {
  for (const client of opened.splice(0)) client.close();
  tracing.reset();
});

async function setup(readerOptions: Parameters<typeof openReader>[3] = {}) {
  const topic = uniqueTopic('redeliver');
  const reader = await openReader(topic, 'c', { propagator: 'tracecontext,baggage', tracerProvider: tracing.provider }, readerOptions);
  const writer = await openWriter({ propagator: 'tracecontext,baggage', tracerProvider: tracing.provider });
  opened.push(reader, writer);
  await publish(writer, topic, 'work');
  const [send] = tracing.spansNamed(`send ${topic}`);
  return { topic, reader, send: send! };
}

describe('redelivery on the real nsqd', () => {
  it('requeue() ends the span; the redelivered message has the same parent', async () => {
    const { topic, reader, send } = await setup();
    const first = await reader.next();
    expect(first.attempts).toBe(1);
    first.message.requeue(0, false);
    await nextTick();
    const [requeued] = await tracing.waitForSpans(`process ${topic}`, 1);
    expect(requeued!.status.code).toBe(SpanStatusCode.UNSET);

    const second = await reader.next();
    expect(second.attempts).toBe(2);
    expect(second.body.toString()).toBe('work');
    second.message.finish();
    await nextTick();
    const processes = await tracing.waitForSpans(`process ${topic}`, 2);
    expect(processes.map((span) => parentSpanId(span))).toEqual([send.spanContext().spanId, send.spanContext().spanId]);
    expect(processes.map((span) => span.spanContext().traceId)).toEqual([send.spanContext().traceId, send.spanContext().traceId]);
    expect(processes.map((span) => span.attributes['messaging.nsq.message.attempts'])).toEqual([1, 2]);
    expect(processes[0]!.attributes['messaging.message.id']).toBe(processes[1]!.attributes['messaging.message.id']);
  });

  it('a message left alone times out: its span ends with MessageTimeoutError, and the redelivery continues the trace', async () => {
    // nsqd's smallest message timeout (IDENTIFY msg_timeout) is one second.
    const { topic, reader, send } = await setup({ messageTimeout: 1000 });
    const first = await reader.next();
    const second = await reader.next(); // nsqd redelivers once the first one timed out
    expect([first.attempts, second.attempts]).toEqual([1, 2]);
    const [timedOut] = await tracing.waitForSpans(`process ${topic}`, 1);
    expect(timedOut!.status.code).toBe(SpanStatusCode.ERROR);
    expect(timedOut!.attributes['error.type']).toBe('MessageTimeoutError');
    expect(timedOut!.attributes['messaging.nsq.message.attempts']).toBe(1);
    second.message.finish();
    await nextTick();
    const processes = await tracing.waitForSpans(`process ${topic}`, 2);
    expect(parentSpanId(processes[1]!)).toBe(send.spanContext().spanId);
    expect(processes[1]!.status.code).toBe(SpanStatusCode.UNSET);
  });

  it("past maxAttempts, 'discard' listeners get the unwrapped message inside its span", async () => {
    const { topic, reader, send } = await setup({ maxAttempts: 1 });
    const first = await reader.next();
    first.message.requeue(0, false);
    const discarded = await reader.next();
    expect(discarded.event).toBe('discard');
    expect(discarded.body.toString()).toBe('work');
    // nsqjs finishes a discarded message itself; that ends the span.
    const processes = await tracing.waitForSpans(`process ${topic}`, 2);
    expect(discarded.active?.spanId).toBe(processes[1]!.spanContext().spanId);
    expect(parentSpanId(processes[1]!)).toBe(send.spanContext().spanId);
  });
});
