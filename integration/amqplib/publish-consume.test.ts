import { isIP } from 'node:net';
import { ROOT_CONTEXT, SpanKind, context, propagation, trace, type Baggage } from '@opentelemetry/api';
import { instrumentConnection } from '@tracehop/amqplib';
import { connect, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { amqpUrl, createTracing, deferred, parentSpanId, uniqueName } from './support.js';

const tracing = createTracing();
const options = { propagator: 'tracecontext,baggage', tracerProvider: tracing.provider, settlementEvents: true };
let raw: ChannelModel;
let traced: ChannelModel;

beforeAll(async () => {
  raw = await connect(amqpUrl());
  traced = instrumentConnection(raw, options);
});
afterAll(() => raw.close());
beforeEach(() => tracing.reset());

const url = new URL(amqpUrl());
const serverPort = Number(url.port || 5672);

/** Consumes one message on `channel` from `queue`, acks it, and reports what the handler saw. */
async function consumeOne(channel: Awaited<ReturnType<ChannelModel['createChannel']>>, queue: string) {
  const seen = deferred<{ message: ConsumeMessage; spanId: string | undefined; baggage: Baggage | undefined }>();
  await channel.consume(queue, (message) => {
    if (message === null) return;
    seen.resolve({
      message,
      spanId: trace.getActiveSpan()?.spanContext().spanId,
      baggage: propagation.getBaggage(context.active()),
    });
    channel.ack(message);
  });
  return seen.promise;
}

describe('publish and consume through RabbitMQ', () => {
  it('makes a `send {exchange}:{routing key}` PRODUCER span whose context the consumer continues', async () => {
    const channel = await traced.createChannel();
    const exchange = uniqueName('ex');
    const queue = uniqueName('q');
    await channel.assertExchange(exchange, 'direct', { autoDelete: true });
    await channel.assertQueue(queue, { exclusive: true });
    await channel.bindQueue(queue, exchange, 'orders.created');
    const consumed = consumeOne(channel, queue);

    const parent = tracing.provider.getTracer('test').startSpan('checkout');
    const active = propagation.setBaggage(trace.setSpan(ROOT_CONTEXT, parent), propagation.createBaggage({ tenant: { value: 'acme' } }));
    const publishOptions = { messageId: 'm-1', correlationId: 'c-1', headers: { 'x-user': 'u-7' } };
    const sent = context.with(active, () => channel.publish(exchange, 'orders.created', Buffer.from('order'), publishOptions));
    const { message, spanId, baggage } = await consumed;
    await tracing.waitForSpans(`process ${exchange}:orders.created:${queue}`, 1);
    parent.end();

    expect(sent).toBe(true);
    expect(publishOptions).toEqual({ messageId: 'm-1', correlationId: 'c-1', headers: { 'x-user': 'u-7' } });

    const [send] = tracing.spansNamed(`send ${exchange}:orders.created`);
    expect(send!.kind).toBe(SpanKind.PRODUCER);
    expect(parentSpanId(send!)).toBe(parent.spanContext().spanId);
    expect(send!.attributes).toEqual({
      'messaging.system': 'rabbitmq',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'send',
      'messaging.destination.name': `${exchange}:orders.created`,
      'messaging.rabbitmq.destination.routing_key': 'orders.created',
      'messaging.message.id': 'm-1',
      'messaging.message.conversation_id': 'c-1',
      'server.address': send!.attributes['server.address'],
      'server.port': serverPort,
    });
    if (isIP(url.hostname)) expect(send!.attributes['server.address']).toBe(url.hostname);

    const { traceId, spanId: sendId } = send!.spanContext();
    expect(message.properties.headers).toEqual({ 'x-user': 'u-7', traceparent: `00-${traceId}-${sendId}-01`, baggage: 'tenant=acme' });

    const [process] = tracing.spansNamed(`process ${exchange}:orders.created:${queue}`);
    expect(process!.kind).toBe(SpanKind.CONSUMER);
    expect(process!.spanContext().traceId).toBe(traceId);
    expect(parentSpanId(process!)).toBe(sendId);
    expect(process!.attributes).toEqual({
      'messaging.system': 'rabbitmq',
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.destination.name': `${exchange}:orders.created:${queue}`,
      'messaging.rabbitmq.destination.routing_key': 'orders.created',
      'messaging.rabbitmq.message.delivery_tag': 1,
      'messaging.message.id': 'm-1',
      'messaging.message.conversation_id': 'c-1',
      'server.address': send!.attributes['server.address'],
      'server.port': serverPort,
    });
    expect(process!.events.map((event) => [event.name, event.attributes])).toEqual([
      ['ack', { 'messaging.operation.name': 'ack', 'messaging.operation.type': 'settle' }],
    ]);
    expect(spanId).toBe(process!.spanContext().spanId);
    expect(baggage?.getEntry('tenant')?.value).toBe('acme');
    await channel.deleteExchange(exchange);
    await channel.close();
    expect(tracing.openSpans()).toBe(0);
  });

  it('sendToQueue makes one span and injects once; the destination is the queue', async () => {
    const channel = await traced.createChannel();
    const queue = uniqueName('q');
    await channel.assertQueue(queue, { exclusive: true });
    const consumed = consumeOne(channel, queue);
    channel.sendToQueue(queue, Buffer.from('x'));
    const { message } = await consumed;
    await tracing.waitForSpans(`process ${queue}`, 1);

    const sends = tracing.spans().filter((span) => span.kind === SpanKind.PRODUCER);
    expect(sends.map((span) => span.name)).toEqual([`send ${queue}`]);
    expect(sends[0]!.attributes['messaging.destination.name']).toBe(queue);
    expect(sends[0]!.attributes['messaging.rabbitmq.destination.routing_key']).toBe(queue);
    const { traceId, spanId } = sends[0]!.spanContext();
    expect(message.properties.headers).toEqual({ traceparent: `00-${traceId}-${spanId}-01` });
    await channel.close();
  });

  it('passes amqplib’s back-pressure boolean through, false as well as true', async () => {
    const queue = uniqueName('q');
    // A write buffer of one frame is full after the first publish: amqplib returns false.
    const rawSmall = await raw.createChannel({ highWaterMark: 1 });
    const tracedSmall = await traced.createChannel({ highWaterMark: 1 });
    const tracedDefault = await traced.createChannel();
    await tracedDefault.assertQueue(queue, { exclusive: true });
    expect(rawSmall.sendToQueue(queue, Buffer.from('1'))).toBe(false);
    expect(tracedSmall.sendToQueue(queue, Buffer.from('2'))).toBe(false);
    expect(tracedSmall.publish('', queue, Buffer.from('3'))).toBe(false);
    expect(tracedDefault.sendToQueue(queue, Buffer.from('4'))).toBe(true);
    await Promise.all([rawSmall.close(), tracedSmall.close(), tracedDefault.close()]);
  });

  it('never writes to the caller’s options, even frozen ones', async () => {
    const channel = await traced.createChannel();
    const queue = uniqueName('q');
    await channel.assertQueue(queue, { exclusive: true });
    const consumed = consumeOne(channel, queue);
    const headers = Object.freeze({ 'x-a': 'a', traceparent: '00-11111111111111111111111111111111-2222222222222222-01' });
    const frozen = Object.freeze({ persistent: true, headers });
    channel.sendToQueue(queue, Buffer.from('x'), frozen);
    const { message } = await consumed;
    expect(frozen).toEqual({ persistent: true, headers: { 'x-a': 'a', traceparent: '00-11111111111111111111111111111111-2222222222222222-01' } });
    expect(message.properties.deliveryMode).toBe(2);
    // The stale traceparent was replaced, not doubled.
    const [send] = tracing.spansNamed(`send ${queue}`);
    expect(message.properties.headers).toEqual({ 'x-a': 'a', traceparent: `00-${send!.spanContext().traceId}-${send!.spanContext().spanId}-01` });
    await channel.close();
  });

  it('makes a message from an unwrapped publisher a new root', async () => {
    const plain = await raw.createChannel();
    const channel = await traced.createChannel();
    const queue = uniqueName('q');
    await channel.assertQueue(queue, { exclusive: true });
    const consumed = consumeOne(channel, queue);
    const ambient = tracing.provider.getTracer('test').startSpan('startup');
    context.with(trace.setSpan(ROOT_CONTEXT, ambient), () => plain.sendToQueue(queue, Buffer.from('x'), { headers: { 'x-only': 'me' } }));
    await consumed;
    const [process] = await tracing.waitForSpans(`process ${queue}`, 1);
    ambient.end();
    expect(parentSpanId(process!)).toBeUndefined();
    expect(process!.links).toEqual([]);
    expect(process!.spanContext().traceId).not.toBe(ambient.spanContext().traceId);
    await Promise.all([plain.close(), channel.close()]);
  });

  it('reads a context whose header values arrive as Buffers', async () => {
    const plain = await raw.createChannel();
    const channel = await traced.createChannel();
    const queue = uniqueName('q');
    await channel.assertQueue(queue, { exclusive: true });
    const consumed = consumeOne(channel, queue);
    plain.sendToQueue(queue, Buffer.from('x'), {
      headers: {
        traceparent: Buffer.from('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'),
        baggage: Buffer.from('tenant=acme'),
      },
    });
    const { message, baggage } = await consumed;
    const [process] = await tracing.waitForSpans(`process ${queue}`, 1);
    expect(Buffer.isBuffer(message.properties.headers?.traceparent)).toBe(true);
    expect(process!.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(parentSpanId(process!)).toBe('b7ad6b7169203331');
    expect(baggage?.getEntry('tenant')?.value).toBe('acme');
    await Promise.all([plain.close(), channel.close()]);
  });
});
