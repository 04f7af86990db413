// Multi-publish, deferred publish and the size limit on the real nsqd.
import { SpanKind } from '@opentelemetry/api';
import { MessageTooLargeError, encodeEnvelope } from '@tracehop/nsqjs';
import type { Writer } from 'nsqjs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTracing,
  deferPublish,
  nextTick,
  nsqd,
  openReader,
  openWriter,
  parentSpanId,
  publish,
  topicMessageCount,
  uniqueTopic,
  type OpenReader,
} from './support.js';

const tracing = createTracing();
const opened: Array<{ close(): void }> = [];
afterEach(() => {
  for (const client of opened.splice(0)) client.close();
  tracing.reset();
});

async function setup(batchSpans?: 'per-message' | 'per-call'): Promise<{ topic: string; writer: Writer; reader: OpenReader }> {
  const topic = uniqueTopic('shapes');
  const reader = await openReader(topic, 'c', { propagator: 'tracecontext', tracerProvider: tracing.provider });
  const writer = await openWriter({ propagator: 'tracecontext', tracerProvider: tracing.provider, batchSpans });
  opened.push(reader, writer);
  return { topic, writer, reader };
}

async function receive(reader: OpenReader, count: number) {
  const byBody = new Map<string, Awaited<ReturnType<OpenReader['next']>>>();
  for (let i = 0; i < count; i++) {
    const delivery = await reader.next();
    delivery.message.finish();
    byBody.set(delivery.body.toString(), delivery);
  }
  await nextTick();
  return byBody;
}

describe('multi-publish (MPUB) on the real nsqd', () => {
  it("'per-message': each message continues its own create span; the send span links them all", async () => {
    const { topic, writer, reader } = await setup();
    await publish(writer, topic, ['one', Buffer.from('two'), { three: 3 }]);
    const creates = tracing.spansNamed(`create ${topic}`);
    const [send] = tracing.spansNamed(`send ${topic}`);
    expect(send!.kind).toBe(SpanKind.CLIENT);
    expect(send!.attributes['messaging.batch.message_count']).toBe(3);
    expect(send!.links.map((link) => link.context.spanId)).toEqual(creates.map((span) => span.spanContext().spanId));

    const deliveries = await receive(reader, 3);
    expect([...deliveries.keys()].sort()).toEqual(['one', 'two', '{"three":3}'].sort());
    const processes = await tracing.waitForSpans(`process ${topic}`, 3);
    const parentOf = (body: string) => {
      const id = deliveries.get(body)!.active!.spanId;
      return parentSpanId(processes.find((span) => span.spanContext().spanId === id)!);
    };
    expect([parentOf('one'), parentOf('two'), parentOf('{"three":3}')]).toEqual(creates.map((span) => span.spanContext().spanId));
  });

  it("'per-call': every message continues the one send span", async () => {
    const { topic, writer, reader } = await setup('per-call');
    await publish(writer, topic, ['a', 'b', 'c', 'd']);
    const [send] = tracing.spansNamed(`send ${topic}`);
    expect(tracing.spansNamed(`create ${topic}`)).toHaveLength(0);
    expect(send!.kind).toBe(SpanKind.PRODUCER);
    await receive(reader, 4);
    const processes = await tracing.waitForSpans(`process ${topic}`, 4);
    expect(processes.map((span) => parentSpanId(span))).toEqual(Array(4).fill(send!.spanContext().spanId));
  });
});

describe('deferred publish (DPUB) on the real nsqd', () => {
  it('arrives after its delay, unwrapped, in the trace of its send span', async () => {
    const { topic, writer, reader } = await setup();
    await deferPublish(writer, topic, [Buffer.from([0xde, 0xfe, 0x44])], 150);
    const [send] = tracing.spansNamed(`send ${topic}`);
    const deliveries = await receive(reader, 1);
    const [delivery] = [...deliveries.values()];
    expect([...delivery!.body]).toEqual([0xde, 0xfe, 0x44]);
    const [processed] = await tracing.waitForSpans(`process ${topic}`, 1);
    expect(parentSpanId(processed!)).toBe(send!.spanContext().spanId);
  });
});

describe("the envelope counts against nsqd's --max-msg-size (1 MiB by default)", () => {
  const LIMIT = 1024 * 1024;
  const OVERHEAD = 85; // a traceparent-only envelope

  it('the largest payload that fits is delivered; one byte more fails before sending, nothing reaches nsqd', async () => {
    const { topic, writer, reader } = await setup();
    const fits = Buffer.alloc(LIMIT - OVERHEAD, 0x61);
    await publish(writer, topic, fits);
    const deliveries = await receive(reader, 1);
    expect([...deliveries.values()][0]!.body.equals(fits)).toBe(true);

    const tooBig = Buffer.alloc(LIMIT - OVERHEAD + 1, 0x62);
    const error = await publish(writer, topic, tooBig).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(MessageTooLargeError);
    expect((error as MessageTooLargeError).size).toBe(LIMIT + 1);
    expect(() => writer.publish(topic, tooBig)).toThrow(MessageTooLargeError);
    const batch = await publish(writer, topic, ['small', tooBig]).then(() => undefined, (e: unknown) => e);
    expect(batch).toBeInstanceOf(MessageTooLargeError);
    expect(await topicMessageCount(topic)).toBe(1);

    const failed = tracing.spans().filter((span) => span.attributes['error.type'] === 'MessageTooLargeError');
    expect(failed.map((span) => span.name)).toEqual([`send ${topic}`, `send ${topic}`, `create ${topic}`, `create ${topic}`, `send ${topic}`]);

    // The same envelope given to nsqd directly: refused as too big. The limit tracehop
    // enforces is nsqd's own, to the byte (the envelope of `fits` above was accepted).
    const envelope = encodeEnvelope(tooBig, { traceparent: `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01` });
    expect(envelope.length).toBe(LIMIT + 1);
    const refused = await fetch(`http://${nsqd().nsqdHttpAddress}/pub?topic=${topic}`, { method: 'POST', body: new Uint8Array(envelope) });
    expect(refused.status).toBe(413);
    expect(await refused.text()).toContain('MSG_TOO_BIG');
    expect(await topicMessageCount(topic)).toBe(1);
  });
});
