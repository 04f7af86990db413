import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { getMessageContext, instrumentConnection } from '@tracehop/amqplib';
import { connect, type Channel, type ConfirmChannel, type Connection, type GetMessage, type Message } from 'amqplib/callback_api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { amqpUrl, createTracing, deferred, parentSpanId, uniqueName } from './support.js';

const tracing = createTracing();
let raw: Connection;
let traced: Connection;

beforeAll(async () => {
  raw = await new Promise<Connection>((resolve, reject) => connect(amqpUrl(), (error, connection) => (error ? reject(error) : resolve(connection))));
  traced = instrumentConnection(raw, { propagator: 'tracecontext', tracerProvider: tracing.provider, settlementEvents: true });
});
afterAll(() => new Promise<void>((resolve) => raw.close(() => resolve())));
beforeEach(() => tracing.reset());

function createChannel(): Promise<{ channel: Channel; returned: Channel }> {
  return new Promise((resolve, reject) => {
    const returned = traced.createChannel((error, channel) => (error ? reject(error) : resolve({ channel, returned })));
  });
}

function assertQueue(channel: Channel, queue: string): Promise<void> {
  return new Promise((resolve, reject) => channel.assertQueue(queue, { exclusive: true }, (error) => (error ? reject(error) : resolve())));
}

function close(channel: Channel): Promise<void> {
  return new Promise((resolve) => channel.close(() => resolve()));
}

describe('the callback API (amqplib/callback_api)', () => {
  it('wraps channels handed to the callback and returned at once, the same object', async () => {
    const { channel, returned } = await createChannel();
    expect(returned).toBe(channel);
    expect(instrumentConnection(traced)).toBe(traced);
    await close(channel);
  });

  it('traces publish and consume; consume returns the channel it was called on', async () => {
    const { channel } = await createChannel();
    const queue = uniqueName('q');
    await assertQueue(channel, queue);
    const delivered = deferred<Message>();
    const consumed = deferred<string>();
    const returned = channel.consume(
      queue,
      (message) => {
        if (message === null) return;
        delivered.resolve(message);
        channel.ack(message);
      },
      {},
      (error, ok) => (error ? consumed.reject(error) : consumed.resolve(ok.consumerTag)),
    );
    expect(returned).toBe(channel);
    await consumed.promise;
    expect(channel.sendToQueue(queue, Buffer.from('cb'))).toBe(true);
    const message = await delivered.promise;
    const [process] = await tracing.waitForSpans(`process ${queue}`, 1);
    const [send] = tracing.spansNamed(`send ${queue}`);
    expect(message.properties.headers).toEqual({ traceparent: `00-${send!.spanContext().traceId}-${send!.spanContext().spanId}-01` });
    expect(parentSpanId(process!)).toBe(send!.spanContext().spanId);
    expect(process!.events.map((event) => event.name)).toEqual(['ack']);
    await close(channel);
    expect(tracing.openSpans()).toBe(0);
  });

  it('traces get() with a callback, called once with amqplib’s arguments', async () => {
    const channel = await new Promise<ConfirmChannel>((resolve, reject) =>
      traced.createConfirmChannel((error, created) => (error ? reject(error) : resolve(created))),
    );
    const queue = uniqueName('q');
    await assertQueue(channel, queue);
    // Confirmed: the queue holds the message before get() asks for it.
    await new Promise<void>((resolve, reject) => channel.sendToQueue(queue, Buffer.from('pull me'), {}, (error) => (error ? reject(error) : resolve())));
    const calls: unknown[][] = [];
    const got = deferred<GetMessage | false>();
    const returned = channel.get(queue, {}, (...args) => {
      calls.push(args);
      got.resolve(args[1] as GetMessage | false);
    });
    expect(returned).toBe(channel);
    const message = (await got.promise) as GetMessage;
    expect(calls).toEqual([[null, message]]);
    expect(message.content.toString()).toBe('pull me');
    const [receive] = tracing.spansNamed(`receive ${queue}`);
    const [send] = tracing.spansNamed(`send ${queue}`);
    expect(receive!.kind).toBe(SpanKind.CLIENT);
    expect(parentSpanId(receive!)).toBe(send!.spanContext().spanId);
    expect(getMessageContext(message)).toBeDefined();
    channel.ack(message);
    await close(channel);
    expect(tracing.openSpans()).toBe(0);
  });

  it('a ConfirmChannel ends the span at the confirm and calls back once, on ack and on nack', async () => {
    const channel = await new Promise<ConfirmChannel>((resolve, reject) =>
      traced.createConfirmChannel((error, created) => (error ? reject(error) : resolve(created))),
    );
    const queue = uniqueName('q');
    await new Promise<void>((resolve, reject) =>
      channel.assertQueue(queue, { exclusive: true, arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' } }, (error) =>
        error ? reject(error) : resolve(),
      ),
    );
    const calls: Record<string, unknown[][]> = { fits: [], overflows: [] };
    const both = deferred<void>();
    const record = (id: string) => (...args: unknown[]) => {
      calls[id]!.push(args);
      if (calls.fits!.length + calls.overflows!.length === 2) both.resolve();
    };
    channel.sendToQueue(queue, Buffer.from('1'), { messageId: 'fits' }, record('fits'));
    channel.sendToQueue(queue, Buffer.from('2'), { messageId: 'overflows' }, record('overflows'));
    await both.promise;
    expect(calls.fits).toEqual([[null]]);
    expect(calls.overflows).toHaveLength(1);
    expect((calls.overflows![0]![0] as Error).message).toBe('message nacked');
    const spans = tracing.spansNamed(`send ${queue}`);
    const status = Object.fromEntries(spans.map((span) => [span.attributes['messaging.message.id'], span.status.code]));
    expect(status).toEqual({ fits: SpanStatusCode.UNSET, overflows: SpanStatusCode.ERROR });
    await new Promise<void>((resolve) => channel.waitForConfirms(() => resolve()));
    await close(channel);
    expect(tracing.openSpans()).toBe(0);
  });
});
