import { SpanStatusCode } from '@opentelemetry/api';
import { instrumentConnection } from '@tracehop/amqplib';
import { connect, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deliver as deliverOn, events, processSpan as endedSpan, settleEvent as settle } from './deliveries.js';
import { amqpUrl, collector, createTracing, deferred, uniqueName } from './support.js';

const tracing = createTracing();
let raw: ChannelModel;
let traced: ChannelModel;

beforeAll(async () => {
  raw = await connect(amqpUrl());
  traced = instrumentConnection(raw, { propagator: 'tracecontext', tracerProvider: tracing.provider, settlementEvents: true });
});
afterAll(() => raw.close());
beforeEach(() => tracing.reset());

const deliver = (count: number, connection = traced) => deliverOn(tracing, connection, count);
const processSpan = (queue: string, id: string) => endedSpan(tracing, queue, id);

describe('a consumer span ends when its message is settled', () => {
  it('ack: only the acked message’s span ends', async () => {
    const { channel, queue, messages, ended } = await deliver(3);
    expect(ended()).toEqual([]);
    expect(tracing.openSpans()).toBe(3);
    channel.ack(messages[1]!);
    expect(ended()).toEqual(['m2']);
    expect(events(processSpan(queue, 'm2'))).toEqual([settle('ack')]);
    expect(processSpan(queue, 'm2').status.code).toBe(SpanStatusCode.UNSET);
    channel.ack(messages[0]!);
    channel.ack(messages[2]!);
    expect(ended()).toEqual(['m1', 'm2', 'm3']);
    await channel.close();
    expect(tracing.openSpans()).toBe(0);
  });

  it('nack and reject end the span, recording whether the message was requeued', async () => {
    const { channel, queue, messages, ended } = await deliver(3);
    channel.nack(messages[0]!, false, false);
    channel.reject(messages[1]!, false);
    expect(ended()).toEqual(['m1', 'm2']);
    expect(events(processSpan(queue, 'm1'))).toEqual([settle('nack', false)]);
    expect(events(processSpan(queue, 'm2'))).toEqual([settle('reject', false)]);
    await channel.close();
  });

  it('a requeued message gets a new span when it is delivered again, in the same trace', async () => {
    const channel = await traced.createChannel();
    const queue = uniqueName('q');
    await channel.assertQueue(queue, { exclusive: true });
    const received = collector<ConsumeMessage>(2);
    await channel.consume(queue, (message) => {
      if (message === null) return;
      received.add(message);
      if (message.fields.redelivered) channel.ack(message);
      else channel.nack(message); // requeue defaults to true, as in amqplib
    });
    channel.sendToQueue(queue, Buffer.from('again'));
    const [first, second] = await received.all;
    const spans = await tracing.waitForSpans(`process ${queue}`, 2);
    const [send] = tracing.spansNamed(`send ${queue}`);
    expect([first!.fields.redelivered, second!.fields.redelivered]).toEqual([false, true]);
    expect(spans.map(events)).toEqual([[settle('nack', true)], [settle('ack')]]);
    expect(spans.map((span) => span.parentSpanContext?.spanId)).toEqual([send!.spanContext().spanId, send!.spanContext().spanId]);
    await channel.close();
  });

  it('ack with allUpTo ends every span up to that message, and no later one', async () => {
    const { channel, messages, ended } = await deliver(5);
    channel.ack(messages[2]!, true);
    expect(ended()).toEqual(['m1', 'm2', 'm3']);
    channel.ack(messages[4]!, true);
    expect(ended()).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    await channel.close();
  });

  it('nack with allUpTo ends every span up to that message', async () => {
    const { channel, queue, messages, ended } = await deliver(4);
    channel.nack(messages[1]!, true, false);
    expect(ended()).toEqual(['m1', 'm2']);
    expect(events(processSpan(queue, 'm1'))).toEqual([settle('nack', false)]);
    channel.ack(messages[3]!, true);
    expect(ended()).toEqual(['m1', 'm2', 'm3', 'm4']);
    await channel.close();
  });

  it('ackAll ends every pending span', async () => {
    const { channel, queue, ended } = await deliver(4);
    channel.ackAll();
    expect(ended()).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(events(processSpan(queue, 'm4'))).toEqual([settle('ack')]);
    expect(tracing.openSpans()).toBe(0);
    await channel.close();
  });

  it('nackAll ends every pending span', async () => {
    const { channel, queue, ended } = await deliver(3);
    channel.nackAll(false);
    expect(ended()).toEqual(['m1', 'm2', 'm3']);
    expect(events(processSpan(queue, 'm3'))).toEqual([settle('nack', false)]);
    await channel.close();
  });
});

describe('recover()', () => {
  it('ends every pending span; the redeliveries get spans of their own', async () => {
    const channel = await traced.createChannel();
    const queue = uniqueName('q');
    await channel.assertQueue(queue, { exclusive: true });
    const seen: ConsumeMessage[] = [];
    const [two, four] = [deferred<void>(), deferred<void>()];
    await channel.consume(queue, (message) => {
      if (message === null) return;
      seen.push(message);
      if (seen.length === 2) two.resolve();
      if (seen.length === 4) four.resolve();
    });
    channel.sendToQueue(queue, Buffer.from('1'), { messageId: 'm1' });
    channel.sendToQueue(queue, Buffer.from('2'), { messageId: 'm2' });
    await two.promise;
    await channel.recover();
    const recovered = tracing.spansNamed(`process ${queue}`);
    expect(recovered.map((span) => span.events.map((event) => [event.name, event.attributes]))).toEqual([
      [settle('recover', true)],
      [settle('recover', true)],
    ]);
    await four.promise;
    expect(seen.map((message) => message.fields.redelivered)).toEqual([false, false, true, true]);
    channel.ack(seen[3]!, true);
    expect(tracing.spansNamed(`process ${queue}`)).toHaveLength(4);
    expect(tracing.openSpans()).toBe(0);
    await channel.close();
  });
});
