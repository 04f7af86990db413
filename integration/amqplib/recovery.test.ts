import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { instrumentConnection } from '@tracehop/amqplib';
import { connect, type ConsumeMessage, type RecoveringChannelModel } from 'amqplib';
import * as callbackApi from 'amqplib/callback_api';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { amqpUrl, collector, createTracing, deferred, parentSpanId, uniqueName } from './support.js';

/**
 * A TCP relay in front of the real broker, so the test can cut the network under a
 * connection (as a broker restart or a dropped link would) without touching the broker.
 */
class Relay {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  constructor(target: URL) {
    this.#server = createServer((client) => {
      const upstream = tcpConnect(Number(target.port || 5672), target.hostname);
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.on('close', () => this.#sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
  }

  listen(): Promise<number> {
    return new Promise((resolve) => this.#server.listen(0, '127.0.0.1', () => resolve((this.#server.address() as { port: number }).port)));
  }

  /** Cuts every connection through the relay; new ones are accepted. */
  drop(): void {
    for (const socket of this.#sockets) socket.destroy();
  }

  close(): Promise<void> {
    this.drop();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

const tracing = createTracing();
const relay = new Relay(new URL(amqpUrl()));
let relayUrl: string;

beforeAll(async () => {
  const port = await relay.listen();
  const url = new URL(amqpUrl());
  url.host = `127.0.0.1:${port}`;
  relayUrl = url.toString();
});
afterAll(() => relay.close());

/** Consumes one message from a fresh queue on a channel of `connection`, and publishes it. */
async function roundTrip(connection: RecoveringChannelModel, body: string) {
  const channel = await connection.createChannel();
  const queue = uniqueName('q');
  await channel.assertQueue(queue, { exclusive: true });
  const delivered = deferred<ConsumeMessage>();
  await channel.consume(queue, (message) => {
    if (message === null) return;
    channel.ack(message);
    delivered.resolve(message);
  });
  channel.sendToQueue(queue, Buffer.from(body));
  await delivered.promise;
  const [process] = await tracing.waitForSpans(`process ${queue}`, 1);
  const [send] = tracing.spansNamed(`send ${queue}`);
  return { channel, process: process!, send: send! };
}

it('a connection with amqplib’s recovery keeps tracing across a reconnect', async () => {
  const recovering = await connect(relayUrl, { recovery: { initialDelay: 10, maxDelay: 50, jitter: 0, waitForConnect: false } });
  const connections: unknown[] = [];
  const reconnected = deferred<void>();
  recovering.on('connect', (model) => {
    connections.push(model);
    if (connections.length === 2) reconnected.resolve();
  });
  recovering.on('error', () => undefined);
  await recovering.waitForConnect();
  const connection = instrumentConnection(recovering, { propagator: 'tracecontext', tracerProvider: tracing.provider });

  const before = await roundTrip(connection, 'before');
  expect(parentSpanId(before.process)).toBe(before.send.spanContext().spanId);

  // Two deliveries left unsettled when the link drops.
  const queue = uniqueName('q');
  await before.channel.assertQueue(queue, { exclusive: true });
  const unsettled = collector<ConsumeMessage>(2);
  await before.channel.consume(queue, (message) => message && unsettled.add(message));
  before.channel.sendToQueue(queue, Buffer.from('1'));
  before.channel.sendToQueue(queue, Buffer.from('2'));
  await unsettled.all;
  const closed = new Promise<void>((resolve) => before.channel.once('close', () => resolve()));

  relay.drop();
  await closed;
  // The old channel's pending spans ended with it.
  const orphans = tracing.spansNamed(`process ${queue}`);
  expect(orphans.map((span) => [span.status.code, span.attributes['error.type']])).toEqual([
    [SpanStatusCode.ERROR, 'ChannelClosedError'],
    [SpanStatusCode.ERROR, 'ChannelClosedError'],
  ]);
  expect(tracing.openSpans()).toBe(0);

  await reconnected.promise;
  const after = await roundTrip(connection, 'after');
  expect(after.process.spanContext().traceId).toBe(after.send.spanContext().traceId);
  expect(parentSpanId(after.process)).toBe(after.send.spanContext().spanId);
  expect(connections[1]).not.toBe(connections[0]);
  await after.channel.close();
  await recovering.close();
  expect(tracing.openSpans()).toBe(0);
});

it('the callback API’s recovering connection too', async () => {
  const reconnected = deferred<void>();
  let connects = 0;
  const recovering = callbackApi.connect(relayUrl, { recovery: { initialDelay: 10, maxDelay: 50, jitter: 0, waitForConnect: false } });
  recovering.on('connect', () => ++connects === 2 && reconnected.resolve());
  recovering.on('error', () => undefined);
  const connection = instrumentConnection(recovering, { propagator: 'tracecontext', tracerProvider: tracing.provider });

  async function roundTripCallback(): Promise<{ process: ReadableSpan; send: ReadableSpan; channel: callbackApi.Channel }> {
    const channel = await new Promise<callbackApi.Channel>((resolve, reject) =>
      connection.createChannel((error, created) => (error ? reject(error) : resolve(created))),
    );
    const queue = uniqueName('q');
    await new Promise<void>((resolve, reject) => channel.assertQueue(queue, { exclusive: true }, (error) => (error ? reject(error) : resolve())));
    const delivered = deferred<void>();
    channel.consume(queue, (message) => {
      if (message === null) return;
      channel.ack(message);
      delivered.resolve();
    });
    channel.sendToQueue(queue, Buffer.from('x'));
    await delivered.promise;
    const [process] = await tracing.waitForSpans(`process ${queue}`, 1);
    return { process: process!, send: tracing.spansNamed(`send ${queue}`)[0]!, channel };
  }

  const before = await roundTripCallback();
  expect(parentSpanId(before.process)).toBe(before.send.spanContext().spanId);
  relay.drop();
  await reconnected.promise;
  const after = await roundTripCallback();
  expect(parentSpanId(after.process)).toBe(after.send.spanContext().spanId);
  await new Promise<void>((resolve) => recovering.close(() => resolve()));
  expect(tracing.openSpans()).toBe(0);
});
