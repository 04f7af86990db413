// How the context travels: inbound policies, baggage policies, what is on the wire, sendBatch
// across topics, payload and header bytes, unwrapped producers, and (migration) old formats.
import { randomBytes, randomUUID } from 'node:crypto';
import { ROOT_CONTEXT, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { injectKafkaHeaders } from '@tracehop/kafkajs';
import { expect, it } from 'vitest';
import { parentSpanId } from '../../../packages/core/test/support/otel.js';
import type { KafkaFormat } from './formats.js';
import { endedSpan, headersAsText, inSpan } from './harness.js';
import type { SuiteWorld } from './suite-world.js';

export function contextTests(world: () => SuiteWorld, format: KafkaFormat): void {
  const server = () => {
    const [address, port] = world().brokers[0]!.split(':');
    return { 'server.address': address, 'server.port': Number(port) };
  };

  it('produce in an active span: parent / link / ignore, baggage keep / drop / allow-list, exact wire headers', async () => {
    const w = world();
    const key = randomUUID();
    const { span: checkout } = await inSpan(w.producerTracing, { tenant: 'acme', secret: 's3cr3t' }, () =>
      w.producer.send({ topic: w.topics.main, messages: [{ key, value: 'policies', headers: { 'x-case': 'policies' } }] }),
    );
    const send = w.producerTracing.spans().find((span) => parentSpanId(span) === checkout.spanContext().spanId)!;
    const onWire = await w.wire.key(key);
    expect(send.name).toBe(`send ${w.topics.main}`);
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(send.attributes).toEqual({
      'messaging.system': 'kafka',
      'messaging.client.id': 'tracehop-it',
      ...server(),
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'send',
      'messaging.destination.name': w.topics.main,
      'messaging.kafka.message.key': key,
      'messaging.destination.partition.id': '0',
      'messaging.kafka.offset': Number(onWire.offset),
    });
    expect(headersAsText(onWire.headers)).toEqual({ 'x-case': 'policies', ...format.wire(send.spanContext(), 'tenant=acme,secret=s3cr3t') });

    const asParent = await w.parent.inbox.key(key);
    const parentSpan = await endedSpan(w.parent.tracing, asParent.spanId);
    expect(parentSpan.name).toBe(`process ${w.topics.main}`);
    expect(parentSpan.kind).toBe(SpanKind.CONSUMER);
    expect(parentSpan.spanContext().traceId).toBe(checkout.spanContext().traceId);
    expect(parentSpanId(parentSpan)).toBe(send.spanContext().spanId);
    expect(parentSpan.links).toEqual([]);
    expect(parentSpan.attributes).toEqual({
      'messaging.system': 'kafka',
      'messaging.client.id': 'tracehop-it',
      ...server(),
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.destination.name': w.topics.main,
      'messaging.destination.partition.id': '0',
      'messaging.consumer.group.name': w.parent.groupId,
      'messaging.kafka.message.key': key,
      'messaging.kafka.offset': Number(onWire.offset),
    });
    expect(asParent.baggage).toEqual({ tenant: 'acme', secret: 's3cr3t' });
    expect(asParent.headers).toEqual(onWire.headers);

    const asLink = await w.link.inbox.key(key);
    const linkSpan = await endedSpan(w.link.tracing, asLink.spanId);
    expect(linkSpan.spanContext().traceId).not.toBe(checkout.spanContext().traceId);
    expect(parentSpanId(linkSpan)).toBeUndefined();
    expect(linkSpan.links.map((l) => l.context)).toEqual([{ ...send.spanContext(), isRemote: true }]);
    expect(asLink.baggage).toEqual({});

    const asIgnore = await w.ignore.inbox.key(key);
    const ignoreSpan = await endedSpan(w.ignore.tracing, asIgnore.spanId);
    expect(ignoreSpan.spanContext().traceId).not.toBe(checkout.spanContext().traceId);
    expect(parentSpanId(ignoreSpan)).toBeUndefined();
    expect(ignoreSpan.links).toEqual([]);
    expect(asIgnore.baggage).toEqual({ tenant: 'acme' });
  });

  it('a message from an unwrapped producer becomes a new root everywhere', async () => {
    const w = world();
    const key = randomUUID();
    const { span: checkout } = await inSpan(w.producerTracing, { tenant: 'acme' }, () =>
      w.rawProducer.send({ topic: w.topics.main, messages: [{ key, value: 'raw', headers: { 'x-user': 'raw' } }] }),
    );
    expect(headersAsText((await w.wire.key(key)).headers)).toEqual({ 'x-user': 'raw' });
    for (const role of [w.parent, w.link, w.ignore]) {
      const seen = await role.inbox.key(key);
      const span = await endedSpan(role.tracing, seen.spanId);
      expect(span.spanContext().traceId).not.toBe(checkout.spanContext().traceId);
      expect(parentSpanId(span)).toBeUndefined();
      expect(span.links).toEqual([]);
      expect(seen.baggage).toEqual({});
    }
  });

  it('sendBatch across two topics: a create span per message, each consumer parented by its own', async () => {
    const w = world();
    const [first, second] = [randomUUID(), randomUUID()];
    const { span: checkout } = await inSpan(w.producerTracing, undefined, () =>
      w.producer.sendBatch({
        topicMessages: [
          { topic: w.topics.main, messages: [{ key: first, value: 'one' }] },
          { topic: w.topics.second, messages: [{ key: second, value: 'two' }] },
        ],
      }),
    );
    const children = w.producerTracing.spans().filter((span) => parentSpanId(span) === checkout.spanContext().spanId);
    const creates = [`create ${w.topics.main}`, `create ${w.topics.second}`].map((name) => children.find((span) => span.name === name)!);
    const send = children.find((span) => span.name === 'send')!;
    expect(creates.map((span) => span.kind)).toEqual([SpanKind.PRODUCER, SpanKind.PRODUCER]);
    expect(send.kind).toBe(SpanKind.CLIENT);
    expect(send.attributes['messaging.batch.message_count']).toBe(2);
    expect(send.attributes['messaging.destination.name']).toBeUndefined();
    expect(send.links).toEqual(
      creates.map((span, index) => ({
        context: span.spanContext(),
        attributes: { 'messaging.destination.name': [w.topics.main, w.topics.second][index] },
      })),
    );
    for (const [index, key] of [first, second].entries()) {
      const create = creates[index]!;
      expect(headersAsText((await w.wire.key(key)).headers)).toEqual(format.wire(create.spanContext()));
      const seen = await w.parent.inbox.key(key);
      const span = await endedSpan(w.parent.tracing, seen.spanId);
      expect(parentSpanId(span)).toBe(create.spanContext().spanId);
      expect(span.attributes['messaging.destination.name']).toBe([w.topics.main, w.topics.second][index]);
    }
  });

  it('random binary payloads, keys and user headers arrive byte for byte', async () => {
    const w = world();
    const cases = [0, 1, 300, 64 * 1024].map((size) => ({
      id: randomUUID(),
      key: randomBytes(16),
      value: randomBytes(size),
      headers: {
        'x-bin': randomBytes(32),
        'x-text': 'héllo ☃',
        'x-empty': '',
        'x-empty-buffer': Buffer.alloc(0),
        'x-list': [randomBytes(8), 'two', Buffer.from([0xff, 0xfe])],
        'X-Mixed-Case': 'Case',
      },
    }));
    await inSpan(w.producerTracing, undefined, () =>
      w.producer.send({ topic: w.topics.main, messages: cases.map((c) => ({ key: c.key, value: c.value, headers: { ...c.headers, 'x-id': c.id } })) }),
    );
    const bytes = (value: unknown) => (Array.isArray(value) ? value.map((item) => Buffer.from(item)) : Buffer.from(value as string));
    for (const c of cases) {
      const byId = (item: { headers: Record<string, unknown> }) => String(item.headers['x-id']) === c.id;
      for (const seen of [await w.wire.waitFor(byId, c.id), await w.parent.inbox.waitFor(byId, c.id)]) {
        expect(seen.value).toEqual(c.value);
        expect(seen.key).toEqual(c.key);
        for (const [name, value] of Object.entries(c.headers)) expect(bytes(seen.headers[name]), name).toEqual(bytes(value));
        const owned = Object.keys(format.wire({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: TraceFlags.SAMPLED }));
        expect(Object.keys(seen.headers).sort()).toEqual([...Object.keys(c.headers), 'x-id', ...owned].sort());
      }
    }
  });

  if (format.legacy) {
    it('migration: messages from older B3 deployments still continue their trace', async () => {
      const w = world();
      for (const { format: legacy, producer } of w.legacyProducers) {
        const key = randomUUID();
        const { span: checkout } = await inSpan(w.producerTracing, undefined, () => producer.send({ topic: w.topics.main, messages: [{ key, value: legacy.name }] }));
        const send = w.producerTracing.spans().find((span) => parentSpanId(span) === checkout.spanContext().spanId)!;
        expect(headersAsText((await w.wire.key(key)).headers)).toEqual(legacy.wire(send.spanContext()));
        const seen = await w.parent.inbox.key(key);
        expect(parentSpanId(await endedSpan(w.parent.tracing, seen.spanId))).toBe(send.spanContext().spanId);
      }
    });

    it('migration: with both a W3C and a B3 context, the first accepted format (W3C) wins', async () => {
      const w = world();
      const key = randomUUID();
      const w3c = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED };
      const b3 = { traceId: '11111111111111111111111111111111', spanId: '2222222222222222', traceFlags: TraceFlags.SAMPLED };
      const headers = {
        ...injectKafkaHeaders({}, trace.setSpanContext(ROOT_CONTEXT, b3), { propagator: 'b3' }),
        ...injectKafkaHeaders({}, trace.setSpanContext(ROOT_CONTEXT, w3c), { propagator: 'tracecontext' }),
      };
      await w.rawProducer.send({ topic: w.topics.main, messages: [{ key, value: 'both', headers }] });
      const seen = await w.parent.inbox.key(key);
      const span = await endedSpan(w.parent.tracing, seen.spanId);
      expect(span.spanContext().traceId).toBe(w3c.traceId);
      expect(parentSpanId(span)).toBe(w3c.spanId);
    });
  }
}
