// An app that runs the instrumentations and also wraps some clients by hand (code written
// for the wrappers, kept after moving to NodeSDK): each client is traced once — the wrapper
// hands back the client the instrumentation already traced — so every message makes exactly
// one send span and one process span.
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { AmqplibInstrumentation, instrumentChannel, instrumentConnection } from '@tracehop/amqplib';
import { KafkajsInstrumentation, instrumentConsumer, instrumentKafka, instrumentProducer } from '@tracehop/kafkajs';
import { NsqjsInstrumentation, instrumentReader, instrumentWriter } from '@tracehop/nsqjs';
import type * as Amqp from 'amqplib';
import type * as KafkaJs from 'kafkajs';
import type * as Nsq from 'nsqjs';
import { describe, expect, inject, it } from 'vitest';
import { createTracing, parentSpanId } from '../support/tracing.js';
import { Inbox } from './support/inbox.js';

const tracing = createTracing();
registerInstrumentations({
  instrumentations: [new KafkajsInstrumentation(), new AmqplibInstrumentation(), new NsqjsInstrumentation()],
  tracerProvider: tracing.provider,
});
const require = createRequire(import.meta.url);
const { Kafka, logLevel } = require('kafkajs') as typeof KafkaJs;
const amqp = require('amqplib') as typeof Amqp;
const nsq = require('nsqjs') as typeof Nsq;

/** Exactly one span of each name, the process span a child of the send span, nothing left open. */
async function expectOneHop(send: string, process: string): Promise<void> {
  await tracing.waitUntil(() => tracing.spansNamed(process).length > 0 && tracing.openSpans() === 0);
  const sends = tracing.spansNamed(send);
  const processes = tracing.spansNamed(process);
  expect(sends).toHaveLength(1);
  expect(processes).toHaveLength(1);
  expect(parentSpanId(processes[0]!)).toBe(sends[0]!.spanContext().spanId);
  expect(tracing.spans()).toHaveLength(2);
}

describe('a client wrapped by hand under the instrumentation is traced once', () => {
  it('kafkajs: instrumentKafka / instrumentProducer / instrumentConsumer return the traced clients', async () => {
    tracing.reset();
    const topic = `hand-${randomUUID()}`;
    const created = new Kafka({ clientId: 'hand', brokers: inject('brokers').kafkaBrokers, logLevel: logLevel.NOTHING });
    const kafka = instrumentKafka(created);
    expect(kafka).toBe(created);
    const rawProducer = kafka.producer();
    const producer = instrumentProducer(rawProducer);
    const consumer = instrumentConsumer(kafka.consumer({ groupId: `hand-${randomUUID()}` }));
    expect(producer).toBe(rawProducer);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const inbox = new Inbox();
    await Promise.all([producer.connect(), consumer.connect()]);
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => inbox.push(String(message.value), message.headers) });
      await producer.send({ topic, messages: [{ value: 'once' }] });
      expect((await inbox.next('once')).headers).toEqual(['traceparent']);
      await expectOneHop(`send ${topic}`, `process ${topic}`);
    } finally {
      await producer.disconnect();
      await consumer.disconnect();
    }
  });

  it('amqplib: instrumentConnection / instrumentChannel return the traced connection and channel', async () => {
    tracing.reset();
    const opened = await amqp.connect(inject('brokers').amqpUrl);
    const connection = instrumentConnection(opened);
    expect(connection).toBe(opened);
    try {
      const created = await connection.createChannel();
      const channel = instrumentChannel(created);
      expect(channel).toBe(created);
      const { queue } = await channel.assertQueue('', { exclusive: true });
      const inbox = new Inbox();
      await channel.consume(queue, (message) => {
        if (message === null) return;
        inbox.push(message.content.toString(), message.properties.headers);
        channel.ack(message);
      });
      channel.sendToQueue(queue, Buffer.from('once'));
      expect((await inbox.next('once')).headers).toEqual(['traceparent']);
      await expectOneHop('send', 'process');
    } finally {
      await connection.close();
    }
  });

  it('nsqjs: instrumentWriter / instrumentReader return the traced writer and reader', async () => {
    tracing.reset();
    const topic = `hand-${randomUUID().slice(0, 8)}`;
    const address = inject('brokers').nsqdTcpAddress;
    const [host, port] = address.split(':');
    const createdReader = new nsq.Reader(topic, 'hand', { nsqdTCPAddresses: [address] });
    const reader = instrumentReader(createdReader);
    const createdWriter = new nsq.Writer(host!, Number(port));
    const writer = instrumentWriter(createdWriter);
    expect([reader, writer]).toEqual([createdReader, createdWriter]);
    expect(reader === createdReader && writer === createdWriter).toBe(true);
    const inbox = new Inbox();
    reader.on('message', (message) => {
      inbox.push(message.body.toString(), undefined);
      message.finish();
    });
    const subscribed = new Promise((resolve) => reader.once('nsqd_connected', resolve));
    reader.connect();
    await subscribed;
    const ready = new Promise((resolve) => writer.once('ready', resolve));
    writer.connect();
    await ready;
    try {
      await new Promise<void>((resolve, reject) => writer.publish(topic, 'once', (error) => (error ? reject(error) : resolve())));
      // Enveloped once: the listener gets the payload itself, not an envelope in an envelope.
      expect((await inbox.next('once')).body).toBe('once');
      await expectOneHop(`send ${topic}`, `process ${topic}`);
    } finally {
      writer.close();
      reader.close();
    }
  });
});
