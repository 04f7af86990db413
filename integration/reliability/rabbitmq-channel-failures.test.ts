// A RabbitMQ channel the broker closes (a publish to a missing exchange) while it holds
// unsettled deliveries, and a consumer whose handler throws: in both, the traced channel
// fails exactly as a raw one (same error), the messages come back exactly as they do for the
// raw one (same redelivery), and no span is left open.
import { randomUUID } from 'node:crypto';
import { SpanStatusCode } from '@opentelemetry/api';
import { connect, type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { instrumentChannel } from '@tracehop/amqplib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { seenError, waitUntil, type SeenError } from './support/ledger.js';
import { countingProvider } from './support/span-counter.js';

const { provider, counter } = countingProvider(1_000);
let connection: ChannelModel;
beforeAll(async () => {
  connection = await connect(inject('brokers').amqpUrl);
});
afterAll(() => connection.close());

type Variant = 'raw' | 'traced';
const open = async (variant: Variant): Promise<Channel> => {
  const channel = await connection.createChannel();
  return variant === 'raw' ? channel : instrumentChannel(channel, { tracerProvider: provider, propagator: 'tracecontext' });
};

/** A queue holding `count` messages m0, m1, …, published by a raw channel. */
async function queueWith(count: number): Promise<string> {
  const queue = `reliability-closed-${randomUUID()}`;
  const channel = await connection.createConfirmChannel();
  await channel.assertQueue(queue, { durable: false, autoDelete: false });
  for (let i = 0; i < count; i++) channel.sendToQueue(queue, Buffer.from(`m${i}`));
  await channel.waitForConfirms();
  await channel.close();
  return queue;
}

/** What a fresh raw consumer gets from the queue afterwards: the redeliveries. */
async function drain(queue: string, count: number): Promise<Array<[string, boolean]>> {
  const channel = await connection.createChannel();
  const got: Array<[string, boolean]> = [];
  await channel.consume(queue, (message) => {
    if (message === null) return;
    got.push([message.content.toString(), message.fields.redelivered]);
    channel.ack(message);
  });
  await waitUntil(() => got.length >= count, 10_000);
  await channel.deleteQueue(queue);
  await channel.close();
  return got;
}

const MISSING_EXCHANGE = `reliability-missing-${randomUUID()}`;

/** Receives three messages without settling them, then publishes to an exchange that does not exist. */
async function closedByBroker(variant: Variant) {
  const queue = await queueWith(3);
  const channel = await open(variant);
  const errors: SeenError[] = [];
  channel.on('error', (error: unknown) => errors.push(seenError(error)));
  const closed = new Promise<void>((resolve) => channel.once('close', () => resolve()));
  const held: ConsumeMessage[] = [];
  await channel.consume(queue, (message) => message && held.push(message));
  await waitUntil(() => held.length === 3, 10_000);
  channel.publish(MISSING_EXCHANGE, 'nowhere', Buffer.from('lost'));
  await closed;
  return { queue, errors, redelivered: await drain(queue, 3) };
}

/** A handler that throws on its first delivery, with no 'handler-error' listener. */
async function handlerThrows(variant: Variant) {
  const queue = await queueWith(1);
  const channel = await open(variant);
  const errors: unknown[] = [];
  channel.on('error', (error: unknown) => errors.push(error));
  const closed = new Promise<void>((resolve) => channel.once('close', () => resolve()));
  const thrown = new Error('handler failed');
  await channel.consume(queue, (message) => {
    if (message !== null) throw thrown;
  });
  await closed;
  return { queue, thrown, errors, redelivered: await drain(queue, 1) };
}

describe('RabbitMQ channel failures: traced channels against raw ones', () => {
  it('the broker closes a channel with unsettled deliveries: same error, same redelivery, no span left open', async () => {
    const raw = await closedByBroker('raw');
    const traced = await closedByBroker('traced');
    expect(raw.errors).toHaveLength(1);
    expect(raw.errors[0]!.message).toMatch(/NOT_FOUND - no exchange/);
    expect(traced.errors).toEqual(raw.errors);
    expect(raw.redelivered).toEqual([['m0', true], ['m1', true], ['m2', true]]);
    expect(traced.redelivered).toEqual(raw.redelivered);

    const spans = counter.kept.filter((span) => span.name === `process ${traced.queue}`);
    expect(spans).toHaveLength(3);
    for (const span of spans) {
      expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: raw.errors[0]!.message });
    }
    expect(counter.open.size).toBe(0);
  });

  it('a handler throws: the channel closes with the very error thrown, the message comes back as for raw', async () => {
    const raw = await handlerThrows('raw');
    const traced = await handlerThrows('traced');
    expect(raw.errors).toEqual([raw.thrown]);
    expect(traced.errors).toHaveLength(1);
    expect(traced.errors[0]).toBe(traced.thrown);
    expect(raw.redelivered).toEqual([['m0', true]]);
    expect(traced.redelivered).toEqual(raw.redelivered);
    const [span] = counter.kept.filter((s) => s.name === `process ${traced.queue}`);
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'handler failed' });
    expect(counter.open.size).toBe(0);
  });
});
