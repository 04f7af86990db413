import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import { Kafka, logLevel, type ConsumerRunConfig, type IHeaders } from 'kafkajs';
import { beforeEach, describe, expect, it } from 'vitest';
import { instrumentConsumer, type KafkaInstrumentationOptions } from '../src/index.js';
import { createTestTracing, parentSpanId } from '../../core/test/support/otel.js';
import { PRODUCER_CONTEXT, fakeConsumer, inboundHeaders, kafkaMessage } from './support/kafka-fakes.js';

const tracing = createTestTracing();
beforeEach(() => tracing.reset());

const base: KafkaInstrumentationOptions = { propagator: 'tracecontext,baggage', tracerProvider: tracing.provider, clientId: 'billing-1' };

interface Seen {
  traceId: string | undefined;
  spanId: string | undefined;
  baggage: Record<string, string>;
}

function observe(): Seen {
  const active = context.active();
  const entries = propagation.getBaggage(active)?.getAllEntries() ?? [];
  return {
    traceId: trace.getSpanContext(active)?.traceId,
    spanId: trace.getSpanContext(active)?.spanId,
    baggage: Object.fromEntries(entries.map(([key, entry]) => [key, entry.value])),
  };
}

/** A traced fake consumer whose eachMessage records the context seen after an await. */
async function consumeOne(options: KafkaInstrumentationOptions, headers: IHeaders, ambient = ROOT_CONTEXT) {
  const raw = fakeConsumer();
  const consumer = instrumentConsumer(raw, options);
  let seen: Seen | undefined;
  await context.with(ambient, () =>
    consumer.run({
      eachMessage: async () => {
        await new Promise((resolve) => setImmediate(resolve));
        seen = observe();
      },
    }),
  );
  raw.emit('consumer.group_join', { groupId: 'billing', memberId: 'm-1' });
  await context.with(ambient, () => raw.deliver('orders', 2, kafkaMessage({ key: Buffer.from('order-7'), offset: '42', headers })));
  return { seen: seen!, spans: tracing.spans() };
}

describe('eachMessage', () => {
  it('inbound parent: the producer span is the parent, context and baggage active across awaits', async () => {
    const { seen, spans } = await consumeOne(base, inboundHeaders(PRODUCER_CONTEXT, { tenant: 'acme' }));
    const [span] = spans;
    expect(span!.name).toBe('process orders');
    expect(span!.kind).toBe(SpanKind.CONSUMER);
    expect(span!.spanContext().traceId).toBe(PRODUCER_CONTEXT.traceId);
    expect(parentSpanId(span!)).toBe(PRODUCER_CONTEXT.spanId);
    expect(span!.links).toEqual([]);
    expect(span!.attributes).toEqual({
      'messaging.system': 'kafka',
      'messaging.client.id': 'billing-1',
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.destination.name': 'orders',
      'messaging.destination.partition.id': '2',
      'messaging.consumer.group.name': 'billing',
      'messaging.kafka.message.key': 'order-7',
      'messaging.kafka.offset': 42,
    });
    expect(seen).toEqual({ traceId: PRODUCER_CONTEXT.traceId, spanId: span!.spanContext().spanId, baggage: { tenant: 'acme' } });
  });

  it('inbound link: a new trace linking to the producer span', async () => {
    const { spans } = await consumeOne({ ...base, inbound: 'link' }, inboundHeaders());
    const [span] = spans;
    expect(span!.spanContext().traceId).not.toBe(PRODUCER_CONTEXT.traceId);
    expect(parentSpanId(span!)).toBeUndefined();
    expect(span!.links.map((link) => link.context)).toEqual([{ ...PRODUCER_CONTEXT, isRemote: true }]);
  });

  it('inbound link: a new root linking to the producer, never a child of the span active at run()', async () => {
    const ambient = tracing.provider.getTracer('test').startSpan('worker');
    const { spans } = await consumeOne({ ...base, inbound: 'link' }, inboundHeaders(), trace.setSpan(ROOT_CONTEXT, ambient));
    const [span] = spans;
    expect(span!.spanContext().traceId).not.toBe(ambient.spanContext().traceId);
    expect(span!.spanContext().traceId).not.toBe(PRODUCER_CONTEXT.traceId);
    expect(parentSpanId(span!)).toBeUndefined();
    expect(span!.links.map((link) => link.context.spanId)).toEqual([PRODUCER_CONTEXT.spanId]);
  });

  it('inbound ignore: a new root with no link', async () => {
    const { spans } = await consumeOne({ ...base, inbound: 'ignore' }, inboundHeaders());
    const [span] = spans;
    expect(span!.spanContext().traceId).not.toBe(PRODUCER_CONTEXT.traceId);
    expect(parentSpanId(span!)).toBeUndefined();
    expect(span!.links).toEqual([]);
  });

  it.each([
    ['drop', 'drop' as const, {}],
    ['an allow-list', ['tenant'], { tenant: 'acme' }],
  ])('baggage policy %s', async (_name, policy, expected) => {
    const { seen } = await consumeOne({ ...base, baggage: policy }, inboundHeaders(PRODUCER_CONTEXT, { tenant: 'acme', secret: 's' }));
    expect(seen.baggage).toEqual(expected);
  });

  it.each<[string, IHeaders]>([
    ['no headers', {}],
    ['garbage bytes', { traceparent: Buffer.from([0xff, 0xfe, 0x00, 0x41]), baggage: Buffer.from('%%%;;==') }],
    ['an invalid version', { traceparent: Buffer.from('ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01') }],
    ['conflicting repeated traceparents', {
      traceparent: [
        Buffer.from('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'),
        Buffer.from('00-11111111111111111111111111111111-2222222222222222-01'),
      ],
    }],
  ])('a message with %s is processed as a new root, without error', async (_name, headers) => {
    const { seen, spans } = await consumeOne(base, headers);
    const [span] = spans;
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
    expect(parentSpanId(span!)).toBeUndefined();
    expect(span!.links).toEqual([]);
    expect(seen.traceId).toBe(span!.spanContext().traceId);
    expect(seen.traceId).not.toBe(PRODUCER_CONTEXT.traceId);
  });

  it('spans: false restores the producer context around the handler and makes no span', async () => {
    const { seen, spans } = await consumeOne({ ...base, spans: false }, inboundHeaders(PRODUCER_CONTEXT, { tenant: 'acme' }));
    expect(spans).toEqual([]);
    expect(seen).toEqual({ traceId: PRODUCER_CONTEXT.traceId, spanId: PRODUCER_CONTEXT.spanId, baggage: { tenant: 'acme' } });
  });

  it('ends the span only when the handler settles', async () => {
    const raw = fakeConsumer();
    let release!: () => void;
    await instrumentConsumer(raw, base).run({ eachMessage: () => new Promise<void>((resolve) => (release = resolve)) });
    const delivered = raw.deliver('orders', 0, kafkaMessage());
    await new Promise((resolve) => setImmediate(resolve));
    expect(tracing.spans()).toEqual([]);
    release();
    await delivered;
    expect(tracing.spans().map((span) => span.name)).toEqual(['process orders']);
  });

  it.each([
    ['rejects', async () => Promise.reject(new TypeError('bad order'))],
    ['throws synchronously', () => {
      throw new TypeError('bad order');
    }],
  ])('a handler that %s: ERROR span and the very same error for kafkajs', async (_name, handler) => {
    const raw = fakeConsumer();
    let thrown: unknown;
    const eachMessage = async () => {
      try {
        return await (handler as () => Promise<void>)();
      } catch (error) {
        thrown = error;
        throw error;
      }
    };
    await instrumentConsumer(raw, base).run({ eachMessage });
    const error = await raw.deliver('orders', 0, kafkaMessage()).catch((caught: unknown) => caught);
    expect(error).toBe(thrown);
    const [span] = tracing.spans();
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'bad order' });
    expect(span!.attributes['error.type']).toBe('TypeError');
  });

  it('gives kafkajs a copy of the run config and leaves the caller one alone', async () => {
    const raw = fakeConsumer();
    const eachMessage = async () => undefined;
    const config: ConsumerRunConfig = { eachMessage, autoCommit: false, partitionsConsumedConcurrently: 3 };
    await instrumentConsumer(raw, base).run(config);
    expect(config.eachMessage).toBe(eachMessage);
    expect(raw.runConfig).not.toBe(config);
    expect(raw.runConfig!.autoCommit).toBe(false);
    expect(raw.runConfig!.partitionsConsumedConcurrently).toBe(3);
    expect(raw.runConfig!.eachMessage).not.toBe(eachMessage);
  });

  it('runs consumeHook with the span and the message; a rejecting hook changes nothing', async () => {
    const raw = fakeConsumer();
    const consumer = instrumentConsumer(raw, {
      ...base,
      consumeHook: async (span, { topic, partition, message }) => {
        span.setAttribute('app.where', `${topic}/${partition}/${message!.offset}`);
        throw new Error('hook bug');
      },
    });
    await consumer.run({ eachMessage: async () => undefined });
    await raw.deliver('orders', 1, kafkaMessage({ offset: '9' }));
    expect(tracing.spans()[0]!.attributes['app.where']).toBe('orders/1/9');
  });

  it('keeps the real consumer: events, on, and the raw object untraced', () => {
    const kafka = new Kafka({ brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING });
    const raw = kafka.consumer({ groupId: 'billing' });
    const rawRun = raw.run;
    const traced = instrumentConsumer(raw, base);
    expect(traced.events).toBe(raw.events);
    expect(traced.on).toBe(raw.on);
    expect(traced.subscribe).toBe(raw.subscribe);
    expect(traced.run).not.toBe(rawRun);
    expect(raw.run).toBe(rawRun);
    expect(instrumentConsumer(traced)).toBe(traced);
  });
});
