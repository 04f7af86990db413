import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ROOT_CONTEXT, SpanStatusCode, context, diag, propagation } from '@opentelemetry/api';
import { instrumentChannel } from '@tracehop/amqplib';
import { connect, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { amqpUrl, createTracing, deferred, uniqueName } from './support.js';

// amqplib's own table encoder, the authority on what fits in its 64 KiB header buffer.
const require = createRequire(import.meta.url);
const codec = require(join(dirname(require.resolve('amqplib')), 'lib', 'codec.js')) as {
  encodeTable(buffer: Buffer, table: object, offset: number): number;
};
const encodedSize = (table: object) => codec.encodeTable(Buffer.alloc(1 << 20), table, 0);

const tracing = createTracing();
let connection: ChannelModel;

beforeAll(async () => {
  connection = await connect(amqpUrl());
});
afterAll(() => connection.close());
afterEach(() => vi.restoreAllMocks());

const members = Array.from({ length: 40 }, (_, i) => [`k${String(i).padStart(2, '0')}`, 'v'.repeat(150)] as const);
const bigBaggage = propagation.createBaggage(Object.fromEntries(members.map(([key, value]) => [key, { value }])));

describe('the 64 KiB header table limit', () => {
  it('trims baggage (whole list-members, from the end) so the message is still published', async () => {
    const warn = vi.spyOn(diag, 'warn');
    const channel = instrumentChannel(await connection.createChannel(), { propagator: 'tracecontext,baggage', tracerProvider: tracing.provider });
    const queue = uniqueName('q');
    await channel.assertQueue(queue, { exclusive: true });
    const delivered = deferred<ConsumeMessage>();
    await channel.consume(queue, (message) => message && delivered.resolve(message), { noAck: true });
    // Leaves room for about 3000 bytes of baggage out of its 6200.
    const big = 'x'.repeat(65_436 - 3_000);
    const sent = context.with(propagation.setBaggage(ROOT_CONTEXT, bigBaggage), () =>
      channel.sendToQueue(queue, Buffer.from('still sent'), { headers: { 'x-big': big } }),
    );
    const message = await delivered.promise;
    expect(sent).toBe(true);
    expect(message.content.toString()).toBe('still sent');
    const headers = message.properties.headers!;
    expect(headers['x-big']).toBe(big);
    const [send] = tracing.spansNamed(`send ${queue}`);
    expect(headers.traceparent).toBe(`00-${send!.spanContext().traceId}-${send!.spanContext().spanId}-01`);

    // What is left is the leading members, whole, as many as fit and no more.
    const kept = String(headers.baggage).split(',');
    const full = members.map(([key, value]) => `${key}=${value}`);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept).toEqual(full.slice(0, kept.length));
    expect(encodedSize(headers)).toBeLessThanOrEqual(65_536);
    expect(encodedSize({ ...headers, baggage: full.slice(0, kept.length + 1).join(',') })).toBeGreaterThan(65_536);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('baggage trimmed'));
    await channel.close();
  });

  it('publishes a message whose own headers are too large exactly as amqplib would: it throws the same error', async () => {
    const plain = await connection.createChannel();
    const channel = instrumentChannel(await connection.createChannel(), { propagator: 'tracecontext', tracerProvider: tracing.provider });
    const headers = { 'x-huge': 'x'.repeat(70_000) };
    const rawError = capture(() => plain.sendToQueue('nowhere', Buffer.from('x'), { headers }));
    const tracedError = capture(() => channel.sendToQueue('nowhere', Buffer.from('x'), { headers }));
    expect(rawError).toBeInstanceOf(RangeError);
    expect(tracedError).toBeInstanceOf(RangeError);
    expect((tracedError as Error).message).toBe((rawError as Error).message);
    const [send] = tracing.spansNamed('send nowhere');
    expect(send!.status).toEqual({ code: SpanStatusCode.ERROR, message: (rawError as Error).message });
    expect(send!.attributes['error.type']).toBe('RangeError');
    await Promise.all([plain.close(), channel.close()]);
  });
});

function capture(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  return undefined;
}
