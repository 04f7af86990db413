import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { instrumentConnection } from '@tracehop/amqplib';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { amqpUrl, createTracing, deferred, uniqueName } from './support.js';

const tracing = createTracing();
let raw: ChannelModel;
let traced: ChannelModel;

beforeAll(async () => {
  raw = await connect(amqpUrl());
  traced = instrumentConnection(raw, { propagator: 'tracecontext', tracerProvider: tracing.provider });
});
afterAll(() => raw.close());
beforeEach(() => tracing.reset());

/** A callback that records every call, and resolves on the first. */
function confirmation() {
  const calls: unknown[][] = [];
  const first = deferred<unknown[]>();
  return {
    calls,
    first: first.promise,
    callback: (...args: unknown[]) => {
      calls.push(args);
      first.resolve(args);
    },
  };
}

/** A queue that holds one message and nacks every publish beyond it (RabbitMQ reject-publish). */
async function fullQueue(channel: ConfirmChannel): Promise<string> {
  const queue = uniqueName('q');
  await channel.assertQueue(queue, { exclusive: true, arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' } });
  return queue;
}

describe('ConfirmChannel', () => {
  it('ends the send span at the broker’s ack, then calls the caller’s callback once', async () => {
    const channel = await traced.createConfirmChannel();
    const queue = uniqueName('q');
    await channel.assertQueue(queue, { exclusive: true });
    const confirm = confirmation();
    const returned = channel.publish('', queue, Buffer.from('x'), { messageId: 'c1' }, confirm.callback);
    expect(returned).toBe(true);
    // Published, not yet confirmed: the span is still open.
    expect(tracing.spansNamed(`send ${queue}`)).toEqual([]);
    expect(tracing.openSpans()).toBe(1);
    expect(await confirm.first).toEqual([null]);
    const [span] = tracing.spansNamed(`send ${queue}`);
    expect(span!.kind).toBe(SpanKind.PRODUCER);
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
    await channel.waitForConfirms();
    await channel.close();
    expect(confirm.calls).toEqual([[null]]);
    expect(tracing.openSpans()).toBe(0);
  });

  it('ends the span with ERROR when the broker nacks, and the callback still runs once with amqplib’s error', async () => {
    const channel = await traced.createConfirmChannel();
    const queue = await fullQueue(channel);
    const accepted = confirmation();
    const rejected = confirmation();
    channel.sendToQueue(queue, Buffer.from('fits'), { messageId: 'fits' }, accepted.callback);
    channel.sendToQueue(queue, Buffer.from('overflows'), { messageId: 'overflows' }, rejected.callback);
    const [error] = (await rejected.first) as [Error];
    await accepted.first;
    await expect(channel.waitForConfirms()).resolves.toBeDefined();
    await channel.close();

    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe('message nacked');
    expect(accepted.calls).toEqual([[null]]);
    expect(rejected.calls).toEqual([[error]]);
    const spans = tracing.spansNamed(`send ${queue}`);
    const byId = Object.fromEntries(spans.map((span) => [span.attributes['messaging.message.id'], span]));
    expect(byId.fits!.status.code).toBe(SpanStatusCode.UNSET);
    expect(byId.overflows!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'message nacked' });
    expect(byId.overflows!.attributes['error.type']).toBe('Error');
    expect(tracing.openSpans()).toBe(0);
  });

  it('behaves like raw amqplib on a nack: same callback arguments', async () => {
    const rawChannel = await raw.createConfirmChannel();
    const queue = await fullQueue(rawChannel);
    const first = confirmation();
    const second = confirmation();
    rawChannel.sendToQueue(queue, Buffer.from('fits'), {}, first.callback);
    rawChannel.sendToQueue(queue, Buffer.from('overflows'), {}, second.callback);
    const [error] = (await second.first) as [Error];
    await first.first;
    expect(first.calls).toEqual([[null]]);
    expect(second.calls).toEqual([[error]]);
    expect(error.message).toBe('message nacked');
    await rawChannel.close();
  });

  it('ends spans at the confirm even without a callback; waitForConfirms works as before', async () => {
    const channel = await traced.createConfirmChannel();
    const queue = uniqueName('q');
    await channel.assertQueue(queue, { exclusive: true });
    for (let i = 0; i < 3; i++) channel.sendToQueue(queue, Buffer.from(`m${i}`));
    await channel.waitForConfirms();
    expect(tracing.spansNamed(`send ${queue}`)).toHaveLength(3);
    expect(tracing.openSpans()).toBe(0);
    await channel.close();
  });

  it('a publish on a closed channel throws amqplib’s own error, and its span ends with it', async () => {
    const rawChannel = await raw.createConfirmChannel();
    const channel = await traced.createConfirmChannel();
    await Promise.all([rawChannel.close(), channel.close()]);
    const rawCallback = confirmation();
    const tracedCallback = confirmation();
    const rawError = captureThrow(() => rawChannel.sendToQueue('q', Buffer.from('x'), {}, rawCallback.callback));
    const tracedError = captureThrow(() => channel.sendToQueue('q', Buffer.from('x'), {}, tracedCallback.callback));
    expect(tracedError).toBeInstanceOf(rawError!.constructor as new () => Error);
    expect((tracedError as Error).message).toBe((rawError as Error).message);
    expect([rawCallback.calls, tracedCallback.calls]).toEqual([[], []]);
    const [span] = tracing.spansNamed('send q');
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: (rawError as Error).message });
    expect(span!.attributes['error.type']).toBe('IllegalOperationError');
    expect(tracing.openSpans()).toBe(0);
  });
});

function captureThrow(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  return undefined;
}
