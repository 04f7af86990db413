// Mixed deployments on the real nsqd: raw messages from a writer that is not wrapped, what a
// reader that is not wrapped sees (the envelope), and the writer's per-topic switch that keeps
// a topic raw while its consumers are not upgraded (docs/nsq-envelope.md, "Migration").
import { ROOT_CONTEXT, context, trace } from '@opentelemetry/api';
import { decodeEnvelope } from '@tracehop/nsqjs';
import { afterEach, describe, expect, it } from 'vitest';
import { createTracing, nextTick, openReader, openWriter, parentSpanId, publish, traceparentOf, uniqueTopic } from './support.js';

const tracing = createTracing();
const opened: Array<{ close(): void }> = [];
afterEach(() => {
  for (const client of opened.splice(0)) client.close();
  tracing.reset();
});

describe('raw messages and unwrapped readers on the real nsqd', () => {
  it('a raw message from an unwrapped writer reaches a wrapped reader unchanged, as a new root', async () => {
    const topic = uniqueTopic('raw');
    const reader = await openReader(topic, 'c', { tracerProvider: tracing.provider, propagator: 'tracecontext' });
    const writer = await openWriter(false);
    opened.push(reader, writer);
    const app = tracing.provider.getTracer('app').startSpan('legacy-producer');
    await context.with(trace.setSpan(ROOT_CONTEXT, app), () => publish(writer, topic, '{"legacy":true}'));
    app.end();
    const delivery = await reader.next();
    expect(delivery.body.toString()).toBe('{"legacy":true}');
    expect(delivery.message.json()).toEqual({ legacy: true });
    delivery.message.finish();
    await nextTick();
    const [processed] = await tracing.waitForSpans(`process ${topic}`, 1);
    expect(parentSpanId(processed!)).toBeUndefined();
    expect(processed!.links).toEqual([]);
    expect(processed!.spanContext().traceId).not.toBe(app.spanContext().traceId);
    expect(delivery.active?.spanId).toBe(processed!.spanContext().spanId);
  });

  it('an unwrapped reader sees the envelope bytes: magic first, the payload at the end', async () => {
    const topic = uniqueTopic('unwrapped');
    const reader = await openReader(topic, 'c', false);
    const writer = await openWriter({ tracerProvider: tracing.provider, propagator: 'tracecontext' });
    opened.push(reader, writer);
    await publish(writer, topic, '{"order":1}');
    const delivery = await reader.next();
    delivery.message.finish();
    expect(delivery.body.subarray(0, 5).toString('hex')).toBe('00f5544801');
    expect(() => JSON.parse(delivery.body.toString())).toThrow(SyntaxError);
    expect(delivery.body.length).toBe(85 + '{"order":1}'.length);
    expect(delivery.body.subarray(-11).toString()).toBe('{"order":1}');
    const [send] = tracing.spansNamed(`send ${topic}`);
    expect(decodeEnvelope(delivery.body)?.headers).toEqual({ traceparent: traceparentOf(send!) });
  });

  it("the writer's envelope switch keeps a topic raw for its unwrapped readers, and still records the send span", async () => {
    const legacy = uniqueTopic('legacy');
    const modern = uniqueTopic('modern');
    const legacyReader = await openReader(legacy, 'c', false);
    const modernReader = await openReader(modern, 'c', { tracerProvider: tracing.provider, propagator: 'tracecontext' });
    const writer = await openWriter({ tracerProvider: tracing.provider, propagator: 'tracecontext', envelope: (topic) => topic !== legacy });
    opened.push(legacyReader, modernReader, writer);
    await publish(writer, legacy, '{"v":1}');
    await publish(writer, modern, '{"v":2}');
    const old = await legacyReader.next();
    old.message.finish();
    expect(old.body.toString()).toBe('{"v":1}');
    expect(tracing.spansNamed(`send ${legacy}`)).toHaveLength(1);
    const current = await modernReader.next();
    current.message.finish();
    await nextTick();
    expect(current.body.toString()).toBe('{"v":2}');
    const [processed] = await tracing.waitForSpans(`process ${modern}`, 1);
    expect(parentSpanId(processed!)).toBe(tracing.spansNamed(`send ${modern}`)[0]!.spanContext().spanId);
  });
});
