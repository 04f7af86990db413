import { SpanStatusCode } from '@opentelemetry/api';
import { instrumentChannel } from '@tracehop/amqplib';
import { connect, type Channel, type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { amqpUrl, createTracing, deferred, uniqueName } from './support.js';

const tracing = createTracing();
let connection: ChannelModel;

beforeAll(async () => {
  connection = await connect(amqpUrl());
});
afterAll(() => connection.close());
beforeEach(() => tracing.reset());

const wrap = (channel: Channel) => instrumentChannel(channel, { propagator: 'tracecontext', tracerProvider: tracing.provider, settlementEvents: true });

/** A handler that throws, with no 'handler-error' listener: amqplib closes the channel with that error. */
async function throwWithoutListener(channel: Channel) {
  const queue = uniqueName('q');
  await channel.assertQueue(queue, { exclusive: true });
  const errors: unknown[] = [];
  channel.on('error', (error) => errors.push(error));
  const closed = new Promise<void>((resolve) => channel.once('close', () => resolve()));
  const thrown = new Error('handler failed');
  await channel.consume(queue, (message) => {
    if (message !== null) throw thrown;
  });
  channel.sendToQueue(queue, Buffer.from('x'));
  await closed;
  return { thrown, errors, queue };
}

/** The same with a 'handler-error' listener: amqplib reports the error and the channel lives on. */
async function throwWithListener(channel: Channel) {
  const queue = uniqueName('q');
  await channel.assertQueue(queue, { exclusive: true });
  const reported = deferred<[unknown, string]>();
  channel.on('handler-error', (error: unknown, event: string) => reported.resolve([error, event]));
  const thrown = new Error('handler failed');
  let delivered: Parameters<Parameters<Channel['consume']>[1]>[0] = null;
  await channel.consume(queue, (message) => {
    delivered = message;
    if (message !== null) throw thrown;
  });
  channel.sendToQueue(queue, Buffer.from('x'));
  const [error, event] = await reported.promise;
  channel.ack(delivered!);
  await channel.close();
  return { thrown, error, event, queue };
}

describe('a consume handler that throws behaves exactly as with raw amqplib', () => {
  it('without a handler-error listener: the channel closes with the very error thrown', async () => {
    const raw = await throwWithoutListener(await connection.createChannel());
    const traced = await throwWithoutListener(wrap(await connection.createChannel()));
    expect(raw.errors).toEqual([raw.thrown]);
    expect(traced.errors).toHaveLength(1);
    expect(traced.errors[0]).toBe(traced.thrown);
    expect((traced.errors[0] as { code?: unknown }).code).toBe((raw.errors[0] as { code?: unknown }).code);

    const [span] = tracing.spansNamed(`process ${traced.queue}`);
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'handler failed' });
    expect(span!.attributes['error.type']).toBe('Error');
    expect(span!.events.map((event) => [event.name, event.attributes?.['exception.message']])).toEqual([['exception', 'handler failed']]);
    expect(tracing.openSpans()).toBe(0);
  });

  it('with a handler-error listener: the same error is reported, and the span ends at the ack', async () => {
    const raw = await throwWithListener(await connection.createChannel());
    const traced = await throwWithListener(wrap(await connection.createChannel()));
    expect([raw.error, raw.event]).toEqual([raw.thrown, 'delivery']);
    expect(traced.error).toBe(traced.thrown);
    expect(traced.event).toBe('delivery');

    const [span] = tracing.spansNamed(`process ${traced.queue}`);
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'handler failed' });
    expect(span!.events.map((event) => event.name)).toEqual(['exception', 'ack']);
    expect(tracing.openSpans()).toBe(0);
  });
});
