// AmqplibInstrumentation's enable() / disable() / setConfig(), on the real broker; amqplib is
// required after the instrumentation is registered, as an app's dependencies are.
import { createRequire } from 'node:module';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { AmqplibInstrumentation, isInstrumented } from '@tracehop/amqplib';
import type * as Amqp from 'amqplib';
import type * as AmqpCallback from 'amqplib/callback_api';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTracing, parentSpanId } from '../support/tracing.js';
import { Inbox } from './support/inbox.js';

const tracing = createTracing();
const instrumentation = new AmqplibInstrumentation();
registerInstrumentations({ instrumentations: [instrumentation], tracerProvider: tracing.provider });
const require = createRequire(import.meta.url);
const amqp = require('amqplib') as typeof Amqp;
const callbackApi = require('amqplib/callback_api') as typeof AmqpCallback;

const url = () => inject('brokers').amqpUrl;
const inbox = new Inbox();
let connection: Amqp.ChannelModel;
let channel: Amqp.Channel;
let queue: string;

beforeAll(async () => {
  connection = await amqp.connect(url());
  channel = await connection.createChannel();
  ({ queue } = await channel.assertQueue('', { exclusive: true }));
  await channel.consume(queue, (message) => {
    if (message === null) return;
    inbox.push(message.content.toString(), message.properties.headers);
    channel.ack(message);
  });
});

afterAll(() => connection?.close());

async function roundTrip(sender: Amqp.Channel, body: string) {
  sender.sendToQueue(queue, Buffer.from(body));
  const received = await inbox.next(body);
  await tracing.waitUntil(() => tracing.openSpans() === 0);
  return received;
}

describe('AmqplibInstrumentation: enable, disable, setConfig', () => {
  it('enabled: connections of connect() (promise and callback API) make traced channels', async () => {
    expect([isInstrumented(connection), isInstrumented(channel)]).toEqual([true, true]);
    const viaCallback = await new Promise<AmqpCallback.Connection>((resolve, reject) =>
      callbackApi.connect(url(), (error, opened) => (error ? reject(error) : resolve(opened))),
    );
    expect(isInstrumented(viaCallback)).toBe(true);
    await new Promise<void>((resolve) => viaCallback.close(() => resolve()));

    const received = await roundTrip(channel, 'enabled');
    const [send] = tracing.spansNamed('send');
    const [process] = tracing.spansNamed('process');
    expect(received.headers).toEqual(['traceparent']);
    expect(parentSpanId(process!)).toBe(send!.spanContext().spanId);
    expect(received.activeSpanId).toBe(process!.spanContext().spanId);
  });

  it('disabled: channels made while enabled stop tracing (no span, no header), new connections are amqplib’s own', async () => {
    tracing.reset();
    instrumentation.disable();
    const received = await roundTrip(channel, 'disabled');
    expect(received.headers).toEqual([]);
    expect(received.activeSpanId).toBeUndefined();
    expect(tracing.spans()).toEqual([]);
    const raw = await amqp.connect(url());
    expect(isInstrumented(raw)).toBe(false);
    await raw.close();
  });

  it('enabled again: the same channels trace again', async () => {
    tracing.reset();
    instrumentation.enable();
    const received = await roundTrip(channel, 're-enabled');
    expect(received.headers).toEqual(['traceparent']);
    expect(tracing.spansNamed('send')).toHaveLength(1);
    expect(tracing.spansNamed('process')).toHaveLength(1);
  });

  it('setConfig: connections opened afterwards take the new options, earlier ones keep theirs', async () => {
    tracing.reset();
    instrumentation.setConfig({ publishHook: (span) => span.setAttribute('app.config', 'second') });
    const later = await amqp.connect(url());
    try {
      await roundTrip(await later.createChannel(), 'new options');
      await roundTrip(channel, 'old options');
    } finally {
      await later.close();
    }
    const [fresh, old] = tracing.spansNamed('send');
    expect(fresh!.attributes['app.config']).toBe('second');
    expect(old!.attributes['app.config']).toBeUndefined();
  });
});
