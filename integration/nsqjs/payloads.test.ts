// Payloads arrive byte for byte through the real nsqd: random binary ones, ones that start
// with the envelope's magic, one that is itself an envelope, text and JSON — from a wrapped
// writer (enveloped) and from a raw nsqjs writer (delivered unchanged).
import { randomBytes } from 'node:crypto';
import { encodeEnvelope } from '@tracehop/nsqjs';
import type { Writer } from 'nsqjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTracing, openReader, openWriter, parentSpanId, publish, uniqueTopic, type OpenReader } from './support.js';

const tracing = createTracing();
const MAGIC = Buffer.from('00f55448', 'hex');

function payloads(): Buffer[] {
  const list: Buffer[] = [];
  for (let i = 0; i < 12; i++) list.push(randomBytes(1 + randomBytes(2).readUInt16BE(0) % 4096));
  for (let i = 0; i < 6; i++) list.push(Buffer.concat([MAGIC, randomBytes(randomBytes(1)[0]! % 40)]));
  list.push(Buffer.concat([MAGIC, Buffer.from([1])]));
  // the magic, version 1 and plausible lengths that do not add up
  list.push(Buffer.from('00f5544801000000020000000000ff68656c6c6f', 'hex'));
  list.push(Buffer.from([0x00]), Buffer.from('{"json":true}'), Buffer.from('plain text ✓'));
  return list;
}

let writers: { traced: Writer; raw: Writer };
let reader: OpenReader;
let topic: string;
beforeAll(async () => {
  topic = uniqueTopic('payloads');
  reader = await openReader(topic, 'c', { propagator: 'tracecontext', tracerProvider: tracing.provider });
  writers = {
    traced: await openWriter({ propagator: 'tracecontext', tracerProvider: tracing.provider }),
    raw: await openWriter(false),
  };
});
afterAll(() => {
  reader.close();
  writers.traced.close();
  writers.raw.close();
});

async function receiveAll(count: number) {
  const deliveries = [];
  for (let i = 0; i < count; i++) {
    const delivery = await reader.next();
    delivery.message.finish();
    deliveries.push(delivery);
  }
  return deliveries;
}

describe('payloads through the real nsqd', () => {
  it('from a wrapped writer: every payload byte for byte, in its producer trace', async () => {
    const sent = payloads();
    sent.push(encodeEnvelope(Buffer.from('inner'), { traceparent: 'not-a-context' })); // an envelope as payload
    for (const payload of sent) await publish(writers.traced, topic, payload);
    const received = await receiveAll(sent.length);
    expect(received.map((d) => d.body.toString('hex')).sort()).toEqual(sent.map((p) => p.toString('hex')).sort());
    const sends = tracing.spansNamed(`send ${topic}`).map((span) => span.spanContext().spanId);
    const processes = await tracing.waitForSpans(`process ${topic}`, sent.length);
    expect(processes.map((span) => parentSpanId(span)).sort()).toEqual([...sends].sort());
  });

  it('from a raw nsqjs writer: every non-envelope payload unchanged, each a new root', async () => {
    tracing.reset();
    const sent = payloads();
    for (const payload of sent) await publish(writers.raw, topic, payload);
    const received = await receiveAll(sent.length);
    expect(received.map((d) => d.body.toString('hex')).sort()).toEqual(sent.map((p) => p.toString('hex')).sort());
    const processes = await tracing.waitForSpans(`process ${topic}`, sent.length);
    expect(processes.every((span) => parentSpanId(span) === undefined && span.links.length === 0)).toBe(true);
    expect(new Set(processes.map((span) => span.spanContext().traceId)).size).toBe(sent.length);
  });

  it('objects are serialised as nsqjs does and json() gives them back', async () => {
    const order = { id: 7, lines: [{ sku: 'A-1', qty: 2 }], note: 'ünïcode' };
    await publish(writers.traced, topic, order);
    const [delivery] = await receiveAll(1);
    expect(delivery!.message.json()).toEqual(order);
    expect(delivery!.body.toString()).toBe(JSON.stringify(order));
  });
});
