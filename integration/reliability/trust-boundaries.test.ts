// Trust boundaries on every broker, with a producer that is not tracehop writing the headers
// by hand: `inbound: 'parent' | 'link' | 'ignore'`, baggage `drop` and allow-list, and
// tracestate / baggage far past the W3C limits — bounded before use, and never passed on
// beyond the limits when the consumer publishes onwards through tracehop.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { context, propagation, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { HEADER_TABLE_LIMIT } from '@tracehop/amqplib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  BIG_BAGGAGE_MEMBERS,
  BIG_TRACESTATE_MEMBERS,
  MIXED_TRACESTATE_MEMBERS,
  PRODUCER,
  TOO_MANY_TRACESTATE_MEMBERS,
  TRACEPARENT,
  W3C_BAGGAGE_BYTES,
  W3C_BAGGAGE_MEMBERS,
  W3C_TRACESTATE_PROPAGATED,
} from './support/hostile-headers.js';
import { countingProvider } from './support/span-counter.js';
import { kafkaTransport } from './support/transports/kafka-transport.js';
import { nsqTransport } from './support/transports/nsq-transport.js';
import { rabbitmqTransport } from './support/transports/rabbitmq-transport.js';
import type { Transport } from './support/transports/transport.js';

const { provider, counter } = countingProvider(10_000);
const tracing = { tracerProvider: provider, propagator: 'tracecontext,baggage' } as const;

// amqplib's own table encoder: the authority on whether a header table can be published.
const requireFromHere = createRequire(import.meta.url);
const codec = requireFromHere(join(dirname(requireFromHere.resolve('amqplib')), 'lib', 'codec.js')) as {
  encodeTable(buffer: Buffer, table: object, offset: number): number;
};

/** What the handler saw: the process span's context, the active baggage. */
interface Seen {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceState: string | undefined;
  readonly baggage: Record<string, string>;
}

function seen(): Seen {
  const spanContext = trace.getActiveSpan()!.spanContext();
  const entries = propagation.getBaggage(context.active())?.getAllEntries() ?? [];
  return {
    traceId: spanContext.traceId,
    spanId: spanContext.spanId,
    traceState: spanContext.traceState?.serialize(),
    baggage: Object.fromEntries(entries.map(([key, entry]) => [key, entry.value])),
  };
}

function processSpan(destination: string): ReadableSpan {
  const spans = counter.kept.filter((span) => span.name === `process ${destination}`);
  expect(spans).toHaveLength(1);
  return spans[0]!;
}

const transports: Array<[string, () => Promise<Transport>]> = [
  ['Kafka', () => kafkaTransport(inject('brokers').kafkaBrokers, tracing)],
  ['RabbitMQ', () => rabbitmqTransport(inject('brokers').amqpUrl, tracing)],
  ['NSQ', () => nsqTransport(inject('brokers').nsqdTcpAddress, tracing)],
];

describe.each(transports)('trust boundaries on %s', (_name, open) => {
  let transport: Transport;
  beforeAll(async () => {
    transport = await open();
  }, 60_000);
  afterAll(() => transport.close());

  async function deliver(headers: Record<string, string>, options: Parameters<Transport['consumeOne']>[1]) {
    const destination = await transport.destination();
    await transport.sendRaw(destination, headers, 'payload');
    const result = await transport.consumeOne(destination, options, () => seen());
    return { destination, seen: result, span: processSpan(destination) };
  }

  it("inbound 'parent' (the default): the producer's span is the parent", async () => {
    const { seen: s, span } = await deliver({ traceparent: TRACEPARENT }, {});
    expect(s.traceId).toBe(PRODUCER.traceId);
    expect(span.parentSpanContext?.spanId).toBe(PRODUCER.spanId);
    expect(span.links).toEqual([]);
  });

  it("inbound 'link': a new trace, linked to the producer's span", async () => {
    const { seen: s, span } = await deliver({ traceparent: TRACEPARENT, baggage: 'tenant=acme' }, { inbound: 'link' });
    expect(s.traceId).not.toBe(PRODUCER.traceId);
    expect(span.parentSpanContext).toBeUndefined();
    expect(span.links.map((link) => [link.context.traceId, link.context.spanId])).toEqual([[PRODUCER.traceId, PRODUCER.spanId]]);
    expect(s.baggage).toEqual({ tenant: 'acme' });
  });

  it("inbound 'ignore': a new root, no link; the producer's ids appear nowhere", async () => {
    const { seen: s, span } = await deliver({ traceparent: TRACEPARENT, baggage: 'tenant=acme' }, { inbound: 'ignore' });
    expect(s.traceId).not.toBe(PRODUCER.traceId);
    expect(span.parentSpanContext).toBeUndefined();
    expect(span.links).toEqual([]);
    expect(JSON.stringify([span.attributes, span.events])).not.toContain(PRODUCER.traceId);
  });

  it("baggage 'drop': none of the inbound baggage reaches the handler; the trace still continues", async () => {
    const { seen: s } = await deliver({ traceparent: TRACEPARENT, baggage: 'tenant=acme,user=eve,role=admin' }, { baggage: 'drop' });
    expect(s.baggage).toEqual({});
    expect(s.traceId).toBe(PRODUCER.traceId);
  });

  it('baggage allow-list: only the listed keys reach the handler', async () => {
    const { seen: s } = await deliver({ traceparent: TRACEPARENT, baggage: 'tenant=acme,user=eve,role=admin' }, { baggage: ['tenant', 'region'] });
    expect(s.baggage).toEqual({ tenant: 'acme' });
  });

  it('oversized tracestate and baggage are bounded before use, and passed on within the W3C limits', async () => {
    const source = await transport.destination();
    const onward = await transport.destination();
    await transport.sendRaw(source, { traceparent: TRACEPARENT, tracestate: MIXED_TRACESTATE_MEMBERS.join(','), baggage: BIG_BAGGAGE_MEMBERS.join(',') }, 'payload');
    const inside = await transport.consumeOne(source, {}, async () => {
      const s = seen();
      await transport.sendTraced(onward, 'forwarded');
      return s;
    });
    // Before use: 22 members is within 32, so the tracestate is kept as it came; the baggage
    // keeps its first members up to 64 members / 8192 bytes (whole members, in order).
    expect(inside.traceState).toBe(MIXED_TRACESTATE_MEMBERS.join(','));
    const keys = Object.keys(inside.baggage);
    expect(keys).toEqual(BIG_BAGGAGE_MEMBERS.slice(0, keys.length).map((member) => member.split('=')[0]));
    // 64 members of about 100 bytes (6.4 KB): the member limit is the one that binds here.
    expect(keys).toHaveLength(W3C_BAGGAGE_MEMBERS);
    expect(BIG_BAGGAGE_MEMBERS.slice(0, keys.length).join(',').length).toBeLessThanOrEqual(W3C_BAGGAGE_BYTES);

    // Passed on: tracestate at most 512 characters, cut by whole entries, large (over 128
    // characters) ones dropped first, from the right (W3C §3.3.1.5); baggage within 64
    // members / 8192 bytes.
    const out = await transport.receiveRaw(onward);
    expect(out.tracestate).toBe([MIXED_TRACESTATE_MEMBERS[0], MIXED_TRACESTATE_MEMBERS[1], MIXED_TRACESTATE_MEMBERS.at(-1)].join(','));
    expect(out.tracestate!.length).toBeLessThanOrEqual(W3C_TRACESTATE_PROPAGATED);
    expect(out.baggage!.split(',')).toEqual(BIG_BAGGAGE_MEMBERS.slice(0, keys.length));
    expect(Buffer.byteLength(out.baggage!)).toBeLessThanOrEqual(W3C_BAGGAGE_BYTES);
  });

  it('a tracestate of more than 32 members is discarded whole; the traceparent still counts', async () => {
    const onward = await transport.destination();
    const source = await transport.destination();
    await transport.sendRaw(source, { traceparent: TRACEPARENT, tracestate: TOO_MANY_TRACESTATE_MEMBERS.join(',') }, 'payload');
    const inside = await transport.consumeOne(source, {}, async () => {
      const s = seen();
      await transport.sendTraced(onward, 'forwarded');
      return s;
    });
    expect(inside.traceId).toBe(PRODUCER.traceId);
    expect(inside.traceState).toBeUndefined();
    expect((await transport.receiveRaw(onward)).tracestate).toBeUndefined();
  });

  it('32 large members: all kept on receipt, passed on as whole entries within 512 characters', async () => {
    const onward = await transport.destination();
    const source = await transport.destination();
    await transport.sendRaw(source, { traceparent: TRACEPARENT, tracestate: BIG_TRACESTATE_MEMBERS.join(',') }, 'payload');
    const inside = await transport.consumeOne(source, {}, async () => {
      const s = seen();
      await transport.sendTraced(onward, 'forwarded');
      return s;
    });
    expect(inside.traceState?.split(',')).toHaveLength(32);
    // Every entry is over 128 characters: they go from the right until what is left fits.
    expect((await transport.receiveRaw(onward)).tracestate).toBe(BIG_TRACESTATE_MEMBERS.slice(0, 2).join(','));
  });
});

describe('RabbitMQ: a hostile message forwarded with its own headers', () => {
  it("stays within amqplib's 64 KiB header table: the formats' headers are replaced, the user's kept", async () => {
    const transport = await rabbitmqTransport(inject('brokers').amqpUrl, tracing);
    const source = await transport.destination();
    const onward = await transport.destination();
    const userData = 'u'.repeat(20_000);
    // 8 KB of tracestate + 20 KB of baggage + 20 KB of the user's own: 48 KB, as sent raw.
    const hostile = { traceparent: TRACEPARENT, tracestate: BIG_TRACESTATE_MEMBERS.join(','), baggage: BIG_BAGGAGE_MEMBERS.join(','), 'x-user-data': userData };
    await transport.sendRaw(source, hostile, 'payload');
    // The common forwarding pattern: publish onwards with the received headers as they are.
    await transport.consumeOne(source, {}, (message) => transport.sendTraced(onward, 'forwarded', message.headers));
    const out = await transport.receiveRaw(onward);
    expect(out['x-user-data']).toBe(userData);
    expect(out.traceparent).toMatch(new RegExp(`^00-${PRODUCER.traceId}-[0-9a-f]{16}-01$`));
    expect(out.tracestate).toBe(BIG_TRACESTATE_MEMBERS.slice(0, 2).join(','));
    expect(out.baggage!.split(',')).toEqual(BIG_BAGGAGE_MEMBERS.slice(0, W3C_BAGGAGE_MEMBERS));
    expect(codec.encodeTable(Buffer.alloc(1 << 20), out, 0)).toBeLessThanOrEqual(HEADER_TABLE_LIMIT);
    await transport.close();
  });
});
