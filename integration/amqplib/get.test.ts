import { ROOT_CONTEXT, SpanKind, context, propagation, trace } from '@opentelemetry/api';
import { getMessageContext, instrumentChannel } from '@tracehop/amqplib';
import { connect, type ChannelModel, type GetMessage } from 'amqplib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { amqpUrl, createTracing, parentSpanId, uniqueName } from './support.js';

const tracing = createTracing();
let connection: ChannelModel;

beforeAll(async () => {
  connection = await connect(amqpUrl());
});
afterAll(() => connection.close());
beforeEach(() => tracing.reset());

const producer = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' };
const headers = { traceparent: `00-${producer.traceId}-${producer.spanId}-01`, baggage: 'tenant=acme' };

async function queueWithMessage(): Promise<{ queue: string; close: () => Promise<void> }> {
  const plain = await connection.createConfirmChannel();
  const queue = uniqueName('q');
  await plain.assertQueue(queue, { autoDelete: false, durable: false });
  plain.sendToQueue(queue, Buffer.from('pulled'), { headers, messageId: 'g1' });
  // Confirmed: the queue holds the message before get() asks for it.
  await plain.waitForConfirms();
  return {
    queue,
    close: async () => {
      await plain.deleteQueue(queue);
      await plain.close();
    },
  };
}

describe('get()', () => {
  it('records a `receive {queue}` CLIENT span, child of the producer’s span, and hands over the message’s context', async () => {
    const { queue, close } = await queueWithMessage();
    const channel = instrumentChannel(await connection.createChannel(), { propagator: 'tracecontext,baggage', tracerProvider: tracing.provider });
    const caller = tracing.provider.getTracer('test').startSpan('poll');
    const message = (await context.with(trace.setSpan(ROOT_CONTEXT, caller), () => channel.get(queue))) as GetMessage;
    caller.end();
    expect(message.content.toString()).toBe('pulled');

    const [receive] = tracing.spansNamed(`receive ${queue}`);
    expect(receive!.kind).toBe(SpanKind.CLIENT);
    expect(receive!.spanContext().traceId).toBe(producer.traceId);
    expect(parentSpanId(receive!)).toBe(producer.spanId);
    expect(receive!.attributes).toEqual({
      'messaging.system': 'rabbitmq',
      'messaging.operation.type': 'receive',
      'messaging.operation.name': 'receive',
      'messaging.destination.name': queue,
      'messaging.rabbitmq.destination.routing_key': queue,
      'messaging.rabbitmq.message.delivery_tag': 1,
      'messaging.message.id': 'g1',
      'server.address': receive!.attributes['server.address'],
      'server.port': receive!.attributes['server.port'],
    });

    const messageContext = getMessageContext(message);
    expect(trace.getSpanContext(messageContext!)?.spanId).toBe(receive!.spanContext().spanId);
    expect(propagation.getBaggage(messageContext!)?.getEntry('tenant')?.value).toBe('acme');
    channel.ack(message);
    await channel.close();
    await close();
    expect(tracing.openSpans()).toBe(0);
  });

  it('an empty queue: `false` as with amqplib, and a receive span under the caller’s span', async () => {
    const channel = instrumentChannel(await connection.createChannel(), { tracerProvider: tracing.provider });
    const queue = uniqueName('q');
    await channel.assertQueue(queue, { exclusive: true });
    const caller = tracing.provider.getTracer('test').startSpan('poll');
    const result = await context.with(trace.setSpan(ROOT_CONTEXT, caller), () => channel.get(queue));
    caller.end();
    expect(result).toBe(false);
    expect(getMessageContext(result as false)).toBeUndefined();
    const [receive] = tracing.spansNamed(`receive ${queue}`);
    expect(parentSpanId(receive!)).toBe(caller.spanContext().spanId);
    expect(receive!.attributes['messaging.destination.name']).toBe(queue);
    expect(receive!.attributes['messaging.rabbitmq.message.delivery_tag']).toBeUndefined();
    await channel.close();
  });

  it('inbound link: the receive span stays under the caller’s span and links to the producer', async () => {
    const { queue, close } = await queueWithMessage();
    const channel = instrumentChannel(await connection.createChannel(), { inbound: 'link', tracerProvider: tracing.provider });
    const caller = tracing.provider.getTracer('test').startSpan('poll');
    const message = (await context.with(trace.setSpan(ROOT_CONTEXT, caller), () => channel.get(queue, { noAck: true }))) as GetMessage;
    caller.end();
    expect(message).not.toBe(false);
    const [receive] = tracing.spansNamed(`receive ${queue}`);
    expect(parentSpanId(receive!)).toBe(caller.spanContext().spanId);
    expect(receive!.links.map((link) => link.context.spanId)).toEqual([producer.spanId]);
    await channel.close();
    await close();
  });

  it('a get() that fails rejects with amqplib’s error, and its span records it', async () => {
    const channel = instrumentChannel(await connection.createChannel(), { tracerProvider: tracing.provider });
    channel.on('error', () => undefined);
    const missing = uniqueName('missing');
    const error = await channel.get(missing).then(
      () => undefined,
      (failure: Error) => failure,
    );
    expect(error?.message).toMatch(/NOT_FOUND/);
    const [receive] = tracing.spansNamed(`receive ${missing}`);
    expect(receive!.status.message).toBe(error!.message);
    expect(tracing.openSpans()).toBe(0);
  });
});
