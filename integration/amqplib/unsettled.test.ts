import { SpanStatusCode } from '@opentelemetry/api';
import { instrumentConnection, type AmqplibInstrumentationOptions } from '@tracehop/amqplib';
import { connect, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deliver as deliverOn, processSpan as endedSpan } from './deliveries.js';
import { amqpUrl, collector, createTracing, uniqueName } from './support.js';

const tracing = createTracing();
let raw: ChannelModel;
let traced: ChannelModel;

beforeAll(async () => {
  raw = await connect(amqpUrl());
  traced = instrumentConnection(raw, { propagator: 'tracecontext', tracerProvider: tracing.provider });
});
afterAll(() => raw.close());
beforeEach(() => tracing.reset());

const deliver = (count: number, connection = traced) => deliverOn(tracing, connection, count);
const processSpan = (queue: string, id: string) => endedSpan(tracing, queue, id);

describe('spans of messages that are never settled', () => {
  it('end with ERROR when the channel closes with them unsettled, and none stays open', async () => {
    const { channel, queue, messages, ended } = await deliver(3);
    channel.ack(messages[0]!);
    await channel.close();
    expect(ended()).toEqual(['m1', 'm2', 'm3']);
    for (const id of ['m2', 'm3']) {
      const span = processSpan(queue, id);
      expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'the channel closed before the message was settled' });
      expect(span.attributes['error.type']).toBe('ChannelClosedError');
      expect(span.events).toEqual([]);
    }
    expect(processSpan(queue, 'm1').status.code).toBe(SpanStatusCode.UNSET);
    expect(tracing.openSpans()).toBe(0);
  });

  it('end with the channel’s error when the broker closes the channel', async () => {
    const { channel, queue, messages, ended } = await deliver(2);
    const errored = new Promise<Error>((resolve) => channel.once('error', resolve));
    const closed = new Promise<void>((resolve) => channel.once('close', () => resolve()));
    channel.ack(messages[0]!);
    channel.ack(messages[0]!); // unknown delivery tag: RabbitMQ closes the channel (406)
    const [error] = await Promise.all([errored, closed]);
    expect(error.message).toMatch(/PRECONDITION_FAILED/);
    expect(ended()).toEqual(['m1', 'm2']);
    const failed = processSpan(queue, 'm2');
    expect(failed.status).toEqual({ code: SpanStatusCode.ERROR, message: error.message });
    expect(failed.events.map((event) => [event.name, event.attributes?.['exception.message']])).toEqual([['exception', error.message]]);
    expect(tracing.openSpans()).toBe(0);
  });

  it('end with ERROR when the whole connection closes', async () => {
    const connection = await connect(amqpUrl());
    const { queue, ended } = await deliver(2, instrumentConnection(connection, { tracerProvider: tracing.provider }));
    await connection.close();
    expect(ended()).toEqual(['m1', 'm2']);
    expect(processSpan(queue, 'm1').attributes['error.type']).toBe('ChannelClosedError');
    expect(tracing.openSpans()).toBe(0);
  });

  it('end with ERROR after the safety timeout, and a late ack changes nothing', async () => {
    const options: AmqplibInstrumentationOptions = { propagator: 'tracecontext', tracerProvider: tracing.provider, settleTimeoutMs: 50 };
    // A connection of its own: a connection is wrapped once, with its first options.
    const own = await connect(amqpUrl());
    const { channel, queue, messages } = await deliver(1, instrumentConnection(own, options));
    const [span] = await tracing.waitForSpans(`process ${queue}`, 1);
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'the message was not settled within 50 ms' });
    expect(span!.attributes['error.type']).toBe('SettleTimeoutError');
    channel.ack(messages[0]!);
    await channel.close();
    expect(tracing.spansNamed(`process ${queue}`)).toHaveLength(1);
    expect(span!.events).toEqual([]);
    await own.close();
  });
});

describe('noAck consumers', () => {
  it('end the span when a synchronous handler returns', async () => {
    const channel = await traced.createChannel();
    const queue = uniqueName('q');
    await channel.assertQueue(queue, { exclusive: true });
    const received = collector<ConsumeMessage>(1);
    await channel.consume(queue, (message) => message && received.add(message), { noAck: true });
    channel.sendToQueue(queue, Buffer.from('x'));
    await received.all;
    const [span] = tracing.spansNamed(`process ${queue}`);
    expect(span!.events).toEqual([]);
    expect(tracing.openSpans()).toBe(0);
    await channel.close();
  });

  it('end the span when the promise a handler returns settles', async () => {
    const channel = await traced.createChannel();
    const queue = uniqueName('q');
    await channel.assertQueue(queue, { exclusive: true });
    let release!: () => void;
    const started = collector<ConsumeMessage>(1);
    await channel.consume(
      queue,
      async (message) => {
        if (message === null) return;
        started.add(message);
        await new Promise<void>((resolve) => (release = resolve));
      },
      { noAck: true },
    );
    channel.sendToQueue(queue, Buffer.from('x'));
    await started.all;
    expect(tracing.spansNamed(`process ${queue}`)).toEqual([]);
    expect(tracing.openSpans()).toBe(1);
    release();
    const [span] = await tracing.waitForSpans(`process ${queue}`, 1);
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
    expect(tracing.openSpans()).toBe(0);
    await channel.close();
  });

  it('are untouched by ackAll on the same channel', async () => {
    const channel = await traced.createChannel();
    const queue = uniqueName('q');
    await channel.assertQueue(queue, { exclusive: true });
    let release!: () => void;
    const started = collector<ConsumeMessage>(1);
    await channel.consume(
      queue,
      (message) => message && (started.add(message), new Promise<void>((resolve) => (release = resolve))),
      { noAck: true },
    );
    channel.sendToQueue(queue, Buffer.from('x'));
    await started.all;
    channel.ackAll(); // nothing outstanding for the broker; the noAck span waits for its handler
    expect(tracing.openSpans()).toBe(1);
    release();
    await tracing.waitForSpans(`process ${queue}`, 1);
    await channel.close();
  });
});

describe('deliveries amqplib passes on as they are', () => {
  it('a null delivery (the server cancelled the consumer) reaches the handler untouched', async () => {
    const channel = await traced.createChannel();
    const other = await raw.createChannel();
    const queue = uniqueName('q');
    await channel.assertQueue(queue, { exclusive: false, autoDelete: true });
    const seen = collector<ConsumeMessage | null>(1);
    await channel.consume(queue, (message) => seen.add(message));
    await other.deleteQueue(queue);
    expect(await seen.all).toEqual([null]);
    expect(tracing.spans()).toEqual([]);
    expect(tracing.openSpans()).toBe(0);
    await Promise.all([channel.close(), other.close()]);
  });
});
