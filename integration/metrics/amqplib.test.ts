// RabbitMQ's messaging metrics on the real broker, with a real MeterProvider: publish on a
// confirm channel, consume with settlement (the process duration ends at the ack, as the span
// does), a channel closed with a message unsettled (an error), get() (a pull: receive), and
// the time a message waited in the queue — a delay this test introduces on purpose.
import { instrumentChannel } from '@tracehop/amqplib';
import { connect, type ChannelModel, type ConsumeMessage, type GetMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amqpUrl, deferred, uniqueName } from '../amqplib/support.js';
import { createTracing } from '../support/tracing.js';
import { CONSUMED, DURATION_BOUNDARIES, OPERATION_DURATION, PROCESS_DURATION, SENT, WAIT_DURATION, createMetrics, hold } from './support.js';

const tracing = createTracing();
let connection: ChannelModel;
beforeAll(async () => {
  connection = await connect(amqpUrl());
});
afterAll(() => connection.close());

/** server.* as tracehop reads them from the channel's socket. */
const server = () => {
  const url = new URL(amqpUrl());
  return { 'server.address': url.hostname, 'server.port': Number(url.port || 5672) };
};

describe('amqplib metrics', () => {
  it('publish, consume with a late ack, and the wait in the queue', async () => {
    const metrics = createMetrics();
    const options = { tracerProvider: tracing.provider, meterProvider: metrics.provider };
    const channel = instrumentChannel(await connection.createConfirmChannel(), options);
    const queue = uniqueName('metrics');
    await channel.assertQueue(queue, { exclusive: true });
    // AMQP 0-9-1 timestamps are seconds: whole seconds, never after the publish.
    channel.sendToQueue(queue, Buffer.from('one'), { timestamp: Math.floor(Date.now() / 1000) });
    channel.sendToQueue(queue, Buffer.from('two'), { timestamp: Date.now() });
    await channel.waitForConfirms();
    const send = { 'messaging.system': 'rabbitmq', 'messaging.operation.name': 'send', 'messaging.destination.name': queue, ...server() };
    expect(await metrics.pointsOf(SENT)).toMatchObject([{ attributes: send, sum: 2, unit: '{message}' }]);
    const [published] = await metrics.pointsOf(OPERATION_DURATION);
    expect(published!.attributes).toEqual({ ...send, 'messaging.operation.type': 'send' });
    expect(published).toMatchObject({ attributes: { ...send, 'messaging.operation.type': 'send' }, count: 2, unit: 's', boundaries: DURATION_BOUNDARIES });

    // Both messages wait in the queue at least this long.
    const waited = 1200;
    await hold(waited);
    const consumer = instrumentChannel(await connection.createChannel(), options);
    const got: ConsumeMessage[] = [];
    const both = deferred<void>();
    await consumer.consume(queue, (message) => {
      if (message === null) return;
      got.push(message);
      if (got.length === 2) both.resolve();
    });
    await both.promise;
    // Settled 150 ms after delivery: the process duration runs to the ack, like the span.
    await hold(150);
    for (const message of got) consumer.ack(message);
    await metrics.waitForRecordings(PROCESS_DURATION, 2);

    const process = { 'messaging.system': 'rabbitmq', 'messaging.operation.name': 'process', 'messaging.destination.name': queue, ...server() };
    expect(await metrics.pointsOf(CONSUMED)).toMatchObject([{ attributes: process, sum: 2 }]);
    const [processed] = await metrics.pointsOf(PROCESS_DURATION);
    expect(processed).toMatchObject({ attributes: process, count: 2, unit: 's', boundaries: DURATION_BOUNDARIES });
    expect(processed!.attributes).toEqual(process);
    expect(processed!.min).toBeGreaterThanOrEqual(0.15);
    const [wait] = await metrics.pointsOf(WAIT_DURATION);
    expect(wait).toMatchObject({ attributes: process, count: 2, unit: 's' });
    expect(wait!.min).toBeGreaterThanOrEqual(waited / 1000);
    await consumer.close();
    await channel.close();
    await metrics.shutdown();
  });

  it('a message left unsettled when its channel closes is a failed process; spans off, metrics on', async () => {
    const metrics = createMetrics();
    const channel = instrumentChannel(await connection.createChannel(), { spans: false, meterProvider: metrics.provider });
    const queue = uniqueName('metrics-unsettled');
    await channel.assertQueue(queue);
    channel.sendToQueue(queue, Buffer.from('never acked'));
    const delivered = deferred<void>();
    await channel.consume(queue, (message) => message !== null && delivered.resolve());
    await delivered.promise;
    await channel.close();
    await metrics.waitForRecordings(PROCESS_DURATION, 1);
    const failed = { 'messaging.system': 'rabbitmq', 'messaging.operation.name': 'process', 'messaging.destination.name': queue, 'error.type': 'ChannelClosedError' };
    expect(await metrics.pointsOf(PROCESS_DURATION)).toMatchObject([{ attributes: failed, count: 1 }]);
    expect(await metrics.pointsOf(CONSUMED)).toMatchObject([{ attributes: failed, sum: 1 }]);
    // No timestamp property: no wait is recorded (rather than a wrong one).
    expect(await metrics.pointsOf(WAIT_DURATION)).toEqual([]);
    const cleanup = await connection.createChannel();
    await cleanup.deleteQueue(queue);
    await cleanup.close();
    await metrics.shutdown();
  });

  it('get(): a receive operation, the message counted at receive, an empty queue timed but not counted', async () => {
    const metrics = createMetrics();
    const channel = instrumentChannel(await connection.createChannel(), { tracerProvider: tracing.provider, meterProvider: metrics.provider });
    const queue = uniqueName('metrics-get');
    await channel.assertQueue(queue, { exclusive: true });
    channel.sendToQueue(queue, Buffer.from('pulled'), { timestamp: Math.floor(Date.now() / 1000) - 2 });
    let message: false | GetMessage = false;
    while (message === false) message = await channel.get(queue, { noAck: true });
    const receiving = { 'messaging.operation.name': 'receive' };
    // Polling an empty queue until the message is there is timed too: count the calls so far.
    const before = (await metrics.pointsOf(OPERATION_DURATION, receiving))[0]!.count;
    expect(await channel.get(queue, { noAck: true })).toBe(false);

    const receive = { 'messaging.system': 'rabbitmq', 'messaging.operation.name': 'receive', 'messaging.destination.name': queue, ...server() };
    const [durations] = await metrics.pointsOf(OPERATION_DURATION, receiving);
    expect(durations).toMatchObject({ attributes: { ...receive, 'messaging.operation.type': 'receive' }, count: before + 1 });
    expect(await metrics.pointsOf(CONSUMED)).toMatchObject([{ attributes: receive, sum: 1 }]);
    expect((await metrics.pointsOf(CONSUMED))[0]!.attributes).toEqual(receive);
    // Stamped two seconds in the past: it waited at least that long before the pull got it.
    expect((await metrics.pointsOf(WAIT_DURATION))[0]!.min).toBeGreaterThanOrEqual(2);
    expect(await metrics.pointsOf(PROCESS_DURATION)).toEqual([]);
    await channel.close();
    await metrics.shutdown();
  });
});
