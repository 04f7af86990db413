import { ROOT_CONTEXT, context, trace, type SpanContext } from '@opentelemetry/api';
import { instrumentChannel, type AmqplibInstrumentationOptions } from '@tracehop/amqplib';
import { connect, type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { amqpUrl, createTracing, deferred, parentSpanId, uniqueName } from './support.js';

const tracing = createTracing();
let connection: ChannelModel;

beforeAll(async () => {
  connection = await connect(amqpUrl());
});
afterAll(() => connection.close());
beforeEach(() => tracing.reset());

/**
 * Publishes one message inside a parent span through a producer channel wrapped with
 * `producer` options (or a raw channel with the given headers), consumes it through a channel
 * wrapped with `consumer` options, and returns the message with the spans involved.
 */
async function roundTrip(producer: AmqplibInstrumentationOptions | { rawHeaders: Record<string, unknown> }, consumer: AmqplibInstrumentationOptions) {
  const queue = uniqueName('q');
  const rawProducer = await connection.createChannel();
  const rawConsumer = await connection.createChannel();
  const consuming = instrumentChannel(rawConsumer, { tracerProvider: tracing.provider, ...consumer });
  await consuming.assertQueue(queue, { exclusive: true });
  const delivered = deferred<ConsumeMessage>();
  await consuming.consume(queue, (message) => {
    if (message === null) return;
    consuming.ack(message);
    delivered.resolve(message);
  });
  const parent = tracing.provider.getTracer('test').startSpan('parent');
  if ('rawHeaders' in producer) {
    rawProducer.sendToQueue(queue, Buffer.from('x'), { headers: producer.rawHeaders });
  } else {
    const publishing: Channel = instrumentChannel(rawProducer, { tracerProvider: tracing.provider, ...producer });
    context.with(trace.setSpan(ROOT_CONTEXT, parent), () => publishing.sendToQueue(queue, Buffer.from('x')));
  }
  const message = await delivered.promise;
  parent.end();
  const [process] = await tracing.waitForSpans(`process ${queue}`, 1);
  const send = tracing.spansNamed(`send ${queue}`)[0];
  await Promise.all([rawProducer.close(), rawConsumer.close()]);
  return { message, process: process!, send, sent: send?.spanContext() as SpanContext };
}

describe('every propagation format, on the wire and back', () => {
  it('tracecontext', async () => {
    const { message, process, sent } = await roundTrip({ propagator: 'tracecontext' }, { propagator: 'tracecontext' });
    expect(message.properties.headers).toEqual({ traceparent: `00-${sent.traceId}-${sent.spanId}-01` });
    expect(parentSpanId(process)).toBe(sent.spanId);
    expect(process.spanContext().traceId).toBe(sent.traceId);
  });

  it('b3 (single header)', async () => {
    const { message, process, sent } = await roundTrip({ propagator: 'b3' }, { propagator: 'b3' });
    expect(message.properties.headers).toEqual({ b3: `${sent.traceId}-${sent.spanId}-1` });
    expect(parentSpanId(process)).toBe(sent.spanId);
    expect(process.spanContext().traceId).toBe(sent.traceId);
  });

  it('b3multi', async () => {
    const { message, process, sent } = await roundTrip({ propagator: 'b3multi' }, { propagator: 'b3multi' });
    expect(message.properties.headers).toEqual({ 'x-b3-traceid': sent.traceId, 'x-b3-spanid': sent.spanId, 'x-b3-sampled': '1' });
    expect(parentSpanId(process)).toBe(sent.spanId);
  });

  it('jaeger', async () => {
    const { message, process, sent } = await roundTrip({ propagator: 'jaeger' }, { propagator: 'jaeger' });
    expect(Object.keys(message.properties.headers ?? {})).toEqual(['uber-trace-id']);
    expect(parentSpanId(process)).toBe(sent.spanId);
    expect(process.spanContext().traceId).toBe(sent.traceId);
  });

  describe('a migration set: inject tracecontext, accept tracecontext, b3 and b3multi', () => {
    const migrating = { propagator: 'tracecontext', extract: 'tracecontext,b3,b3multi' };

    it('continues a trace from an old b3multi publisher', async () => {
      const { process, sent } = await roundTrip({ propagator: 'b3multi' }, migrating);
      expect(process.spanContext().traceId).toBe(sent.traceId);
      expect(parentSpanId(process)).toBe(sent.spanId);
    });

    it('continues a trace from an old b3 publisher', async () => {
      const { process, sent } = await roundTrip({ propagator: 'b3' }, migrating);
      expect(parentSpanId(process)).toBe(sent.spanId);
    });

    it('prefers the first format in the extract order when a message carries two contexts', async () => {
      const { process } = await roundTrip(
        {
          rawHeaders: {
            b3: '11111111111111111111111111111111-2222222222222222-1',
            traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
          },
        },
        migrating,
      );
      expect(process.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
      expect(parentSpanId(process)).toBe('b7ad6b7169203331');
    });

    it('injects only the new format, with the old ones removed from the caller’s headers', async () => {
      const queue = uniqueName('q');
      const plain = await connection.createChannel();
      const channel = instrumentChannel(plain, { tracerProvider: tracing.provider, ...migrating });
      await channel.assertQueue(queue, { exclusive: true });
      const delivered = deferred<ConsumeMessage>();
      await channel.consume(queue, (message) => message && delivered.resolve(message), { noAck: true });
      channel.sendToQueue(queue, Buffer.from('x'), { headers: { b3: 'stale', 'X-B3-TraceId': 'stale', keep: 'me' } });
      const message = await delivered.promise;
      const sent = tracing.spansNamed(`send ${queue}`)[0]!.spanContext();
      expect(message.properties.headers).toEqual({ keep: 'me', traceparent: `00-${sent.traceId}-${sent.spanId}-01` });
      await plain.close();
    });
  });
});
