// NSQ's messaging metrics on the real nsqd, with a real MeterProvider: PUB and MPUB, messages
// processed until their FIN (the process duration ends at finish(), as the span does), one
// left unsettled when its reader closes (an error), and the time messages waited in nsqd — a
// delay this test introduces on purpose.
import { describe, expect, it } from 'vitest';
import { createTracing } from '../support/tracing.js';
import { nsqd, openReader, openWriter, publish, uniqueTopic } from '../nsqjs/support.js';
import { CONSUMED, OPERATION_DURATION, PROCESS_DURATION, SENT, WAIT_BOUNDARIES, WAIT_DURATION, createMetrics, hold } from './support.js';

const tracing = createTracing();

describe('nsqjs metrics', () => {
  it('PUB and MPUB, finish after a pause, and the wait in nsqd', async () => {
    const metrics = createMetrics();
    const topic = uniqueTopic('metrics');
    const channel = 'metrics';
    // The channel exists before anything is published, so nsqd keeps every message for it.
    const subscribed = await openReader(topic, channel, false);
    subscribed.close();
    const writer = await openWriter({ tracerProvider: tracing.provider, meterProvider: metrics.provider });
    const [host, port] = nsqd().nsqdTcpAddress.split(':') as [string, string];
    await publish(writer, topic, 'one');
    await publish(writer, topic, ['two', 'three']);
    writer.close();

    const send = { 'messaging.system': 'nsq', 'messaging.operation.name': 'send', 'messaging.destination.name': topic, 'server.address': host, 'server.port': Number(port) };
    expect(await metrics.pointsOf(SENT)).toMatchObject([{ attributes: send, sum: 3, unit: '{message}' }]);
    expect((await metrics.pointsOf(SENT))[0]!.attributes).toEqual(send);
    // One operation per call, an MPUB of two as much as a PUB.
    expect(await metrics.pointsOf(OPERATION_DURATION)).toMatchObject([{ attributes: { ...send, 'messaging.operation.type': 'send' }, count: 2, unit: 's' }]);

    // The messages wait in nsqd at least this long (nsqd stamps them when it accepts them).
    const waited = 1200;
    await hold(waited);
    const reader = await openReader(topic, channel, { tracerProvider: tracing.provider, meterProvider: metrics.provider });
    const deliveries = [await reader.next(), await reader.next(), await reader.next()];
    await hold(100);
    for (const delivery of deliveries) delivery.message.finish();
    await metrics.waitForRecordings(PROCESS_DURATION, 3);

    const process = { 'messaging.system': 'nsq', 'messaging.operation.name': 'process', 'messaging.destination.name': topic, 'messaging.consumer.group.name': channel };
    const [processed] = await metrics.pointsOf(PROCESS_DURATION);
    expect(processed!.attributes).toEqual(process);
    expect(processed!.count).toBe(3);
    // Finished 100 ms after delivery: every process duration runs at least that long.
    expect(processed!.min).toBeGreaterThanOrEqual(0.1);
    expect(await metrics.pointsOf(CONSUMED)).toMatchObject([{ attributes: process, sum: 3 }]);
    const [wait] = await metrics.pointsOf(WAIT_DURATION);
    expect(wait).toMatchObject({ attributes: process, count: 3, boundaries: WAIT_BOUNDARIES });
    expect(wait!.min).toBeGreaterThanOrEqual(waited / 1000);
    reader.close();
    await metrics.shutdown();
  });

  it('a message left unsettled when its reader closes is a failed process; spans off, metrics on', async () => {
    const metrics = createMetrics();
    const topic = uniqueTopic('metrics-unsettled');
    const reader = await openReader(topic, 'metrics', { spans: false, meterProvider: metrics.provider });
    const writer = await openWriter(false);
    await publish(writer, topic, 'left alone');
    writer.close();
    await reader.next();
    reader.close();
    await metrics.waitForRecordings(PROCESS_DURATION, 1);
    const failed = {
      'messaging.system': 'nsq',
      'messaging.operation.name': 'process',
      'messaging.destination.name': topic,
      'messaging.consumer.group.name': 'metrics',
      'error.type': 'ReaderClosedError',
    };
    expect(await metrics.pointsOf(PROCESS_DURATION)).toMatchObject([{ attributes: failed, count: 1 }]);
    expect(await metrics.pointsOf(CONSUMED)).toMatchObject([{ attributes: failed, sum: 1 }]);
    expect(tracing.spans().filter((span) => span.name === `process ${topic}`)).toEqual([]);
    await metrics.shutdown();
  });
});
