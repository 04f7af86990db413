import { randomBytes } from 'node:crypto';
import { instrumentChannel } from '@tracehop/amqplib';
import { connect, type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amqpUrl, createTracing, deferred, uniqueName } from './support.js';

const tracing = createTracing();
let connection: ChannelModel;
let plain: Channel;
let traced: Channel;
let queue: string;
const waiting = new Map<string, (message: ConsumeMessage) => void>();

beforeAll(async () => {
  connection = await connect(amqpUrl());
  plain = await connection.createChannel();
  traced = instrumentChannel(await connection.createChannel(), { propagator: 'tracecontext,baggage', tracerProvider: tracing.provider });
  queue = uniqueName('q');
  await traced.assertQueue(queue, { exclusive: true });
  await traced.consume(queue, (message) => message && waiting.get(message.properties.messageId)?.(message), { noAck: true });
});
afterAll(() => connection.close());

let sequence = 0;

/** Sends the same payload and headers through a raw and a traced channel; returns both deliveries. */
async function sendBoth(content: Buffer, headers: Record<string, unknown>) {
  const id = String(sequence++);
  const received = { raw: deferred<ConsumeMessage>(), traced: deferred<ConsumeMessage>() };
  waiting.set(`${id}-raw`, received.raw.resolve);
  waiting.set(`${id}-traced`, received.traced.resolve);
  plain.sendToQueue(queue, content, { messageId: `${id}-raw`, headers });
  traced.sendToQueue(queue, content, { messageId: `${id}-traced`, headers });
  const [raw, withContext] = await Promise.all([received.raw.promise, received.traced.promise]);
  waiting.delete(`${id}-raw`);
  waiting.delete(`${id}-traced`);
  return { raw, traced: withContext };
}

/** A delivery's headers without the ones tracehop writes. */
function userHeaders(message: ConsumeMessage): Record<string, unknown> {
  const { traceparent: _traceparent, ...rest } = message.properties.headers ?? {};
  return rest;
}

const headerValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.boolean(),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
  fc.array(fc.string({ unit: 'grapheme' }), { maxLength: 4 }),
  fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9_-]{0,11}$/), fc.oneof(fc.string(), fc.integer(), fc.boolean()), { maxKeys: 4 }),
);
const userHeaderMap = fc.dictionary(fc.stringMatching(/^x-[a-z0-9-]{1,16}$/), headerValue, { maxKeys: 8 });

describe('payloads and user headers arrive byte for byte', () => {
  it('a fixed set of every header type amqplib encodes', async () => {
    const headers = {
      'x-empty': '',
      'x-text': 'héllo, wörld ✓ 🐇',
      'x-byte': 127,
      'x-short': 128,
      'x-int': 40_000,
      'x-int32': 2 ** 31 - 1,
      'x-long': -(2 ** 40),
      'x-float': 1.5,
      'x-true': true,
      'x-false': false,
      'x-null': null,
      'x-undefined': undefined,
      'x-binary': Buffer.from([0, 1, 2, 0xfe, 0xff]),
      'x-no-bytes': Buffer.alloc(0),
      'x-list': ['a', 1, true, Buffer.from('b')],
      'x-table': { nested: { deeper: 'yes', n: 2 }, list: [1, 2] },
      'x-timestamp': { '!': 'timestamp', value: 1_700_000_000 },
    };
    const content = randomBytes(1024);
    const { raw, traced: delivered } = await sendBoth(content, headers);
    expect(delivered.content.equals(content)).toBe(true);
    expect(userHeaders(delivered)).toEqual(raw.properties.headers);
    const { 'x-undefined': _skipped, ...expected } = headers;
    expect(userHeaders(delivered)).toEqual(expected);
    expect(Object.keys(userHeaders(delivered))).toEqual(Object.keys(expected));
  });

  it('empty and multi-frame payloads', async () => {
    for (const content of [Buffer.alloc(0), randomBytes(300_000)]) {
      const { traced: delivered } = await sendBoth(content, {});
      expect(delivered.content.equals(content)).toBe(true);
    }
  });

  it('random payloads and headers: what arrives is what raw amqplib delivers', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 8192 }), userHeaderMap, async (bytes, headers) => {
        const content = Buffer.from(bytes);
        const { raw, traced: delivered } = await sendBoth(content, headers);
        expect(delivered.content.equals(content)).toBe(true);
        expect(userHeaders(delivered)).toEqual(raw.properties.headers);
        expect(userHeaders(delivered)).toEqual(headers);
      }),
      { numRuns: 40 },
    );
  });
});
