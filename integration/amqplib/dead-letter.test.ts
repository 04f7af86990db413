import { instrumentConnection } from '@tracehop/amqplib';
import { connect, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { amqpUrl, createTracing, deferred, parentSpanId, uniqueName } from './support.js';

const tracing = createTracing();
let raw: ChannelModel;
let traced: ChannelModel;

beforeAll(async () => {
  raw = await connect(amqpUrl());
  traced = instrumentConnection(raw, { propagator: 'tracecontext,baggage', tracerProvider: tracing.provider, settlementEvents: true });
});
afterAll(() => raw.close());

it('a message rejected to a dead-letter exchange continues the original trace from the dead-letter queue', async () => {
  const channel = await traced.createChannel();
  const dlx = uniqueName('dlx');
  const work = uniqueName('work');
  const dead = uniqueName('dead');
  await channel.assertExchange(dlx, 'fanout', { autoDelete: true });
  await channel.assertQueue(dead, { exclusive: true });
  await channel.bindQueue(dead, dlx, '');
  await channel.assertQueue(work, { exclusive: true, deadLetterExchange: dlx });

  await channel.consume(work, (message) => message && channel.reject(message, false));
  const deadLettered = deferred<ConsumeMessage>();
  await channel.consume(dead, (message) => {
    if (message === null) return;
    channel.ack(message);
    deadLettered.resolve(message);
  });
  channel.sendToQueue(work, Buffer.from('poison'), { headers: { 'x-order': 7 } });
  const message = await deadLettered.promise;
  const [first] = await tracing.waitForSpans(`process ${work}`, 1);
  const [second] = await tracing.waitForSpans(`process ${dlx}:${work}:${dead}`, 1);
  const [send] = tracing.spansNamed(`send ${work}`);
  const { traceId, spanId } = send!.spanContext();

  // The broker kept the publisher's headers and added x-death.
  expect(message.properties.headers?.traceparent).toBe(`00-${traceId}-${spanId}-01`);
  expect(message.properties.headers?.['x-order']).toBe(7);
  expect(message.properties.headers?.['x-death']).toEqual([
    expect.objectContaining({ count: 1, reason: 'rejected', queue: work, exchange: '', 'routing-keys': [work] }),
  ]);
  expect(message.fields.exchange).toBe(dlx);

  // Both process spans are children of the one send span: one trace, end to end.
  expect(first!.events.map((event) => [event.name, event.attributes?.['tracehop.requeue']])).toEqual([['reject', false]]);
  expect(parentSpanId(first!)).toBe(spanId);
  expect(second!.spanContext().traceId).toBe(traceId);
  expect(parentSpanId(second!)).toBe(spanId);
  expect(second!.attributes['messaging.destination.name']).toBe(`${dlx}:${work}:${dead}`);
  await channel.deleteExchange(dlx);
  await channel.close();
  expect(tracing.openSpans()).toBe(0);
});
