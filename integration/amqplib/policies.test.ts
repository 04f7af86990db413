import { ROOT_CONTEXT, context, propagation, trace, type Baggage } from '@opentelemetry/api';
import { instrumentChannel, type AmqplibInstrumentationOptions } from '@tracehop/amqplib';
import { connect, type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { amqpUrl, createTracing, deferred, parentSpanId, uniqueName } from './support.js';

const tracing = createTracing();
let connection: ChannelModel;

beforeAll(async () => {
  connection = await connect(amqpUrl());
});
afterAll(() => connection.close());
beforeEach(() => tracing.reset());

const producerSpan = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' };
const headers = {
  traceparent: `00-${producerSpan.traceId}-${producerSpan.spanId}-01`,
  baggage: 'tenant=acme,secret=s3cr3t',
};

/** Sends `headers` from a plain channel and consumes them through one wrapped with `options`. */
async function consumeRaw(options: AmqplibInstrumentationOptions) {
  const queue = uniqueName('q');
  const publisher = await connection.createChannel();
  const plain = await connection.createChannel();
  const channel = instrumentChannel(plain, { propagator: 'tracecontext,baggage', tracerProvider: tracing.provider, ...options });
  await channel.assertQueue(queue, { exclusive: true });
  const seen = deferred<{ spanContext: ReturnType<typeof trace.getSpanContext>; baggage: Baggage | undefined }>();
  await channel.consume(queue, (message) => {
    if (message === null) return;
    seen.resolve({ spanContext: trace.getSpanContext(context.active()), baggage: propagation.getBaggage(context.active()) });
    channel.ack(message);
  });
  publisher.sendToQueue(queue, Buffer.from('x'), { headers });
  const result = await seen.promise;
  const [process] = await tracing.waitForSpans(`process ${queue}`, 1);
  await Promise.all([publisher.close(), plain.close()]);
  return { ...result, process: process! };
}

describe('inbound policies on a real delivery', () => {
  it('parent: the producer’s span is the parent of the process span', async () => {
    const { process, spanContext } = await consumeRaw({ inbound: 'parent' });
    expect(process.spanContext().traceId).toBe(producerSpan.traceId);
    expect(parentSpanId(process)).toBe(producerSpan.spanId);
    expect(process.links).toEqual([]);
    expect(spanContext?.spanId).toBe(process.spanContext().spanId);
  });

  it('link: a new trace that links to the producer’s span', async () => {
    const { process } = await consumeRaw({ inbound: 'link' });
    expect(process.spanContext().traceId).not.toBe(producerSpan.traceId);
    expect(parentSpanId(process)).toBeUndefined();
    expect(process.links.map((link) => [link.context.traceId, link.context.spanId])).toEqual([[producerSpan.traceId, producerSpan.spanId]]);
  });

  it('ignore: a new root without a link', async () => {
    const { process } = await consumeRaw({ inbound: 'ignore' });
    expect(process.spanContext().traceId).not.toBe(producerSpan.traceId);
    expect(parentSpanId(process)).toBeUndefined();
    expect(process.links).toEqual([]);
  });
});

describe('baggage policies on a real delivery', () => {
  it('keep (default): every inbound entry reaches the handler', async () => {
    const { baggage } = await consumeRaw({});
    expect(baggage?.getAllEntries().map(([key, entry]) => [key, entry.value])).toEqual([
      ['tenant', 'acme'],
      ['secret', 's3cr3t'],
    ]);
  });

  it('drop: no inbound baggage', async () => {
    const { baggage } = await consumeRaw({ baggage: 'drop' });
    expect(baggage).toBeUndefined();
  });

  it('an allow-list keeps only the listed keys', async () => {
    const { baggage } = await consumeRaw({ baggage: ['tenant'] });
    expect(baggage?.getAllEntries().map(([key, entry]) => [key, entry.value])).toEqual([['tenant', 'acme']]);
  });
});

describe('propagate-only mode (spans: false)', () => {
  it('injects the active context and restores it around the handler, with no spans', async () => {
    const queue = uniqueName('q');
    const plain = await connection.createChannel();
    const channel = instrumentChannel(plain, { propagator: 'tracecontext', tracerProvider: tracing.provider, spans: false });
    await channel.assertQueue(queue, { exclusive: true });
    const seen = deferred<{ traceparent: unknown; active: ReturnType<typeof trace.getSpanContext> }>();
    await channel.consume(queue, (message) => {
      if (message === null) return;
      seen.resolve({ traceparent: message.properties.headers?.traceparent, active: trace.getSpanContext(context.active()) });
      channel.ack(message);
    });
    const upstream = trace.setSpanContext(ROOT_CONTEXT, { ...producerSpan, traceFlags: 1 });
    context.with(upstream, () => channel.sendToQueue(queue, Buffer.from('x')));
    const { traceparent, active } = await seen.promise;
    expect(traceparent).toBe(headers.traceparent);
    expect(active).toEqual({ ...producerSpan, traceFlags: 1, isRemote: true });
    expect(tracing.spans()).toEqual([]);
    expect(tracing.openSpans()).toBe(0);
    await plain.close();
  });
});
