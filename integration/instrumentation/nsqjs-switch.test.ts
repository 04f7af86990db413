// NsqjsInstrumentation's enable() / disable() / setConfig(), on the real nsqd; nsqjs is
// required after the instrumentation is registered, as an app's dependencies are.
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { NsqjsInstrumentation, isInstrumented } from '@tracehop/nsqjs';
import type * as Nsq from 'nsqjs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTracing, parentSpanId } from '../support/tracing.js';
import { Inbox } from './support/inbox.js';

const tracing = createTracing();
const instrumentation = new NsqjsInstrumentation();
registerInstrumentations({ instrumentations: [instrumentation], tracerProvider: tracing.provider });
const nsq = createRequire(import.meta.url)('nsqjs') as typeof Nsq;

const topic = `switch-${randomUUID().slice(0, 8)}`;
const traced = new Inbox();
const raw = new Inbox();
let writer: Nsq.Writer;
let reader: Nsq.Reader;
let rawReader: Nsq.Reader;

async function connectedReader(channel: string, inbox: Inbox): Promise<Nsq.Reader> {
  const created = new nsq.Reader(topic, channel, { nsqdTCPAddresses: [inject('brokers').nsqdTcpAddress] });
  created.on('message', (message) => {
    inbox.push(message.body.toString(), undefined);
    message.finish();
  });
  const connected = new Promise((resolve) => created.once('nsqd_connected', resolve));
  created.connect();
  await connected;
  return created;
}

async function connectedWriter(): Promise<Nsq.Writer> {
  const [host, port] = inject('brokers').nsqdTcpAddress.split(':');
  const created = new nsq.Writer(host!, Number(port));
  const ready = new Promise((resolve) => created.once('ready', resolve));
  created.connect();
  await ready;
  return created;
}

/** The topic and its channels exist before anything is published: each channel gets every message. */
async function createChannels(...channels: string[]): Promise<void> {
  const http = `http://${inject('brokers').nsqdHttpAddress}`;
  for (const path of [`topic/create?topic=${topic}`, ...channels.map((channel) => `channel/create?topic=${topic}&channel=${channel}`)]) {
    const response = await fetch(`${http}/${path}`, { method: 'POST' });
    if (!response.ok) throw new Error(`nsqd answered ${response.status} to ${path}`);
  }
}

beforeAll(async () => {
  await createChannels('traced', 'raw');
  reader = await connectedReader('traced', traced);
  writer = await connectedWriter();
  // A reader created while disabled is nsqjs' own: it shows the bodies exactly as they travel.
  instrumentation.disable();
  rawReader = await connectedReader('raw', raw);
  instrumentation.enable();
});

afterAll(() => {
  writer?.close();
  reader?.close();
  rawReader?.close();
});

async function roundTrip(sender: Nsq.Writer, body: string) {
  await new Promise<void>((resolve, reject) => sender.publish(topic, body, (error) => (error ? reject(error) : resolve())));
  const received = await traced.next(body);
  await tracing.waitUntil(() => tracing.openSpans() === 0);
  return received;
}

describe('NsqjsInstrumentation: enable, disable, setConfig', () => {
  it('enabled: `new Writer()` / `new Reader()` are traced, process span child of send span', async () => {
    expect([isInstrumented(writer), isInstrumented(reader), isInstrumented(rawReader)]).toEqual([true, true, false]);
    const received = await roundTrip(writer, 'enabled');
    const [send] = tracing.spansNamed(`send ${topic}`);
    const [process] = tracing.spansNamed(`process ${topic}`);
    expect(parentSpanId(process!)).toBe(send!.spanContext().spanId);
    expect(received.activeSpanId).toBe(process!.spanContext().spanId);
    // The untraced reader sees the envelope: the context travels in the body.
    const enveloped = await raw.nth(0);
    expect(enveloped.body).not.toBe('enabled');
    expect(enveloped.body).toContain('traceparent');
  });

  it('disabled: writers made while enabled publish raw bodies, no spans; readers still unwrap', async () => {
    tracing.reset();
    instrumentation.disable();
    const received = await roundTrip(writer, 'disabled');
    expect(received.activeSpanId).toBeUndefined();
    expect((await raw.next('disabled')).body).toBe('disabled');
    expect(tracing.spans()).toEqual([]);
    const created = new nsq.Writer('127.0.0.1', 4150);
    expect(isInstrumented(created)).toBe(false);
  });

  it('enabled again: the same clients trace again', async () => {
    tracing.reset();
    instrumentation.enable();
    await roundTrip(writer, 're-enabled');
    expect(tracing.spansNamed(`send ${topic}`)).toHaveLength(1);
    expect(tracing.spansNamed(`process ${topic}`)).toHaveLength(1);
  });

  it('setConfig: writers created afterwards take the new options, earlier ones keep theirs', async () => {
    tracing.reset();
    instrumentation.setConfig({ publishHook: (span) => span.setAttribute('app.config', 'second') });
    const later = await connectedWriter();
    try {
      await roundTrip(later, 'new options');
      await roundTrip(writer, 'old options');
    } finally {
      later.close();
    }
    const [fresh, old] = tracing.spansNamed(`send ${topic}`);
    expect(fresh!.attributes['app.config']).toBe('second');
    expect(old!.attributes['app.config']).toBeUndefined();
  });
});
