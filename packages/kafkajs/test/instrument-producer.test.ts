import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { Kafka, logLevel, type Message, type ProducerRecord } from 'kafkajs';
import { beforeEach, describe, expect, it } from 'vitest';
import { instrumentProducer, isInstrumented, type KafkaInstrumentationOptions } from '../src/index.js';
import { createTestTracing, parentSpanId } from '../../core/test/support/otel.js';
import { fakeProducer } from './support/kafka-fakes.js';

const tracing = createTestTracing();
beforeEach(() => tracing.reset());

const base: KafkaInstrumentationOptions = {
  propagator: 'tracecontext',
  tracerProvider: tracing.provider,
  clientId: 'billing-1',
  serverAddress: 'kafka.local:9092',
};

function traceparentOf(span: { spanContext(): { traceId: string; spanId: string } }): string {
  const { traceId, spanId } = span.spanContext();
  return `00-${traceId}-${spanId}-01`;
}

/** The error a promise rejects with; fails the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error as Error,
  );
}

/** Runs `fn` inside an active parent span and returns that span. */
async function inParent<T>(fn: () => Promise<T>) {
  const parent = tracing.provider.getTracer('test').startSpan('parent');
  const result = await context.with(trace.setSpan(ROOT_CONTEXT, parent), fn);
  parent.end();
  return { parent, result };
}

describe('send with one message', () => {
  it('makes one PRODUCER span, child of the active span, and injects its context into a copy', async () => {
    const raw = fakeProducer();
    const producer = instrumentProducer(raw, base);
    const userHeaders = { 'x-bytes': Buffer.from([0, 1, 255]), 'x-list': ['a', Buffer.from('b')], traceparent: 'stale' };
    const message: Message = { key: 'order-7', value: 'v', headers: userHeaders };
    const record: ProducerRecord = { topic: 'orders', messages: [message], acks: -1 };
    // JSON keeps Buffers as their bytes: any change to the caller's objects shows.
    const snapshot = JSON.stringify(record);

    const { parent, result } = await inParent(() => producer.send(record));

    expect(result).toEqual([{ topicName: 'orders', partition: 2, errorCode: 0, baseOffset: '41' }]);
    const [span] = tracing.spansNamed('send orders');
    expect(span!.kind).toBe(SpanKind.PRODUCER);
    expect(parentSpanId(span!)).toBe(parent.spanContext().spanId);
    expect(span!.attributes).toEqual({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'send',
      'messaging.destination.name': 'orders',
      'messaging.client.id': 'billing-1',
      'server.address': 'kafka.local',
      'server.port': 9092,
      'messaging.kafka.message.key': 'order-7',
      // From the broker's answer: the partition chosen, and the message's offset.
      'messaging.destination.partition.id': '2',
      'messaging.kafka.offset': 41,
    });
    // The caller's record, message and headers are untouched.
    expect(JSON.stringify(record)).toBe(snapshot);
    expect(record.messages[0]).toBe(message);
    expect(message.headers).toBe(userHeaders);
    // kafkajs got a copy: same options, user headers by reference, our traceparent.
    const sent = raw.records[0]!;
    expect(sent).not.toBe(record);
    expect(sent.acks).toBe(-1);
    expect(sent.messages[0]).not.toBe(message);
    expect(sent.messages[0]!.key).toBe('order-7');
    expect(sent.messages[0]!.headers).toEqual({ 'x-bytes': userHeaders['x-bytes'], 'x-list': userHeaders['x-list'], traceparent: traceparentOf(span!) });
    expect(sent.messages[0]!.headers!['x-bytes']).toBe(userHeaders['x-bytes']);
    expect(sent.messages[0]!.headers!['x-list']).toBe(userHeaders['x-list']);
  });

  it('removes stale owned headers in any case and leaves out null and undefined values', async () => {
    const raw = fakeProducer();
    const producer = instrumentProducer(raw, { ...base, propagator: 'tracecontext,baggage,b3multi' });
    const headers = { TraceParent: 'stale', 'X-B3-TraceId': 'stale', keep: 'yes', gone: undefined, nil: null } as unknown as Message['headers'];
    await producer.send({ topic: 'orders', messages: [{ value: 'v', headers }] });
    const [span] = tracing.spans();
    const { traceId, spanId } = span!.spanContext();
    expect(raw.records[0]!.messages[0]!.headers).toEqual({
      keep: 'yes',
      traceparent: `00-${traceId}-${spanId}-01`,
      'x-b3-traceid': traceId,
      'x-b3-spanid': spanId,
      'x-b3-sampled': '1',
    });
  });

  it('copies a message without headers exactly as `{ ...message, headers }` would', async () => {
    const raw = fakeProducer();
    const tag = Symbol('tag');
    // Own enumerable keys of every kind, a non-enumerable one, and a key named `__proto__`.
    const message = JSON.parse('{"__proto__": {"x": 1}, "value": "v", "key": "k", "0": "zero"}') as Message & Record<PropertyKey, unknown>;
    message[tag] = 'symbol';
    Object.defineProperty(message, 'hidden', { value: 'no', enumerable: false });
    await instrumentProducer(raw, base).send({ topic: 'orders', messages: [message] });

    const sent = raw.records[0]!.messages[0]! as Message & Record<PropertyKey, unknown>;
    const expected = { ...message, headers: sent.headers } as Record<PropertyKey, unknown>;
    expect(Reflect.ownKeys(sent)).toEqual(Reflect.ownKeys(expected));
    for (const key of Reflect.ownKeys(expected)) expect(sent[key]).toBe(expected[key]);
    expect(Object.getPrototypeOf(sent)).toBe(Object.prototype);
    expect(Object.keys(sent.headers!)).toEqual(['traceparent']);
    expect(Object.hasOwn(message, 'headers')).toBe(false);
  });

  it('uses an explicit partition at span start and marks tombstones', async () => {
    const raw = fakeProducer();
    raw.answer = [{ topicName: 'orders', partition: 1, errorCode: 0, baseOffset: '7' }];
    await instrumentProducer(raw, base).send({ topic: 'orders', messages: [{ key: Buffer.from('k'), value: null, partition: 1 }] });
    const [span] = tracing.spans();
    expect(span!.attributes['messaging.destination.partition.id']).toBe('1');
    expect(span!.attributes['messaging.kafka.message.tombstone']).toBe(true);
    expect(span!.attributes['messaging.kafka.message.key']).toBe('k');
  });
});

describe('send with several messages', () => {
  it('gives each message its own create span and links the CLIENT send span to them (default)', async () => {
    const raw = fakeProducer();
    raw.answer = [{ topicName: 'orders', partition: 0, errorCode: 0, baseOffset: '10' }];
    const producer = instrumentProducer(raw, base);
    const { parent } = await inParent(() =>
      producer.send({ topic: 'orders', messages: [{ key: 'a', value: '1' }, { key: 'b', value: '2', partition: 0 }] }),
    );

    const creates = tracing.spansNamed('create orders');
    expect(creates).toHaveLength(2);
    for (const create of creates) {
      expect(create.kind).toBe(SpanKind.PRODUCER);
      expect(parentSpanId(create)).toBe(parent.spanContext().spanId);
      expect(create.attributes['messaging.operation.type']).toBe('create');
      expect(create.attributes['messaging.operation.name']).toBe('create');
      expect(create.attributes['messaging.destination.name']).toBe('orders');
    }
    expect(creates.map((span) => span.attributes['messaging.kafka.message.key'])).toEqual(['a', 'b']);
    expect(creates[1]!.attributes['messaging.destination.partition.id']).toBe('0');
    const sent = raw.records[0]!.messages;
    expect(sent.map((message) => message.headers!.traceparent)).toEqual(creates.map(traceparentOf));

    const [send] = tracing.spansNamed('send orders');
    expect(send!.kind).toBe(SpanKind.CLIENT);
    expect(parentSpanId(send!)).toBe(parent.spanContext().spanId);
    expect(send!.links.map((link) => link.context.spanId)).toEqual(creates.map((span) => span.spanContext().spanId));
    expect(send!.attributes).toEqual({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'send',
      'messaging.destination.name': 'orders',
      'messaging.client.id': 'billing-1',
      'server.address': 'kafka.local',
      'server.port': 9092,
      'messaging.batch.message_count': 2,
      // One partition in the answer: it is the partition of the whole call.
      'messaging.destination.partition.id': '0',
    });
  });

  it('with batchSpans: \'per-call\', makes one PRODUCER span whose context every message carries', async () => {
    const raw = fakeProducer();
    raw.answer = [
      { topicName: 'orders', partition: 0, errorCode: 0, baseOffset: '1' },
      { topicName: 'orders', partition: 1, errorCode: 0, baseOffset: '5' },
    ];
    const producer = instrumentProducer(raw, { ...base, batchSpans: 'per-call' });
    await producer.send({ topic: 'orders', messages: [{ value: '1' }, { value: '2' }, { value: '3' }] });
    expect(tracing.spans()).toHaveLength(1);
    const [span] = tracing.spans();
    expect(span!.name).toBe('send orders');
    expect(span!.kind).toBe(SpanKind.PRODUCER);
    expect(span!.attributes['messaging.batch.message_count']).toBe(3);
    // Two partitions in the answer: no single partition to report.
    expect(span!.attributes['messaging.destination.partition.id']).toBeUndefined();
    expect(raw.records[0]!.messages.map((message) => message.headers!.traceparent)).toEqual(Array(3).fill(traceparentOf(span!)));
  });

  it('sendBatch across two topics: "send" span without a destination, links name each topic', async () => {
    const raw = fakeProducer();
    const producer = instrumentProducer(raw, base);
    const batch = {
      acks: 1,
      topicMessages: [
        { topic: 'orders', messages: [{ value: 'o' }] },
        { topic: 'invoices', messages: [{ value: 'i' }] },
      ],
    };
    const snapshot = structuredClone(batch);
    await producer.sendBatch(batch);
    expect(batch).toEqual(snapshot);
    const [send] = tracing.spansNamed('send');
    expect(send!.kind).toBe(SpanKind.CLIENT);
    expect(send!.attributes['messaging.destination.name']).toBeUndefined();
    expect(send!.attributes['messaging.batch.message_count']).toBe(2);
    expect(send!.links.map((link) => link.attributes)).toEqual([
      { 'messaging.destination.name': 'orders' },
      { 'messaging.destination.name': 'invoices' },
    ]);
    const sent = raw.batches[0]!;
    expect(sent.acks).toBe(1);
    expect(sent.topicMessages!.map((group) => group.topic)).toEqual(['orders', 'invoices']);
    expect(sent.topicMessages![0]!.messages[0]!.headers!.traceparent).toBe(traceparentOf(tracing.spansNamed('create orders')[0]!));
    expect(sent.topicMessages![1]!.messages[0]!.headers!.traceparent).toBe(traceparentOf(tracing.spansNamed('create invoices')[0]!));
  });
});

describe('failures and kafkajs semantics', () => {
  it('a failed send records the error, ends the span and rethrows the very same error', async () => {
    const raw = fakeProducer();
    const error = Object.assign(new Error('broker says no'), { name: 'KafkaJSProtocolError' });
    raw.answer = error;
    await expect(instrumentProducer(raw, base).send({ topic: 'orders', messages: [{ value: 'v' }] })).rejects.toBe(error);
    const [span] = tracing.spans();
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'broker says no' });
    expect(span!.attributes['error.type']).toBe('KafkaJSProtocolError');
    expect(span!.events.map((event) => event.name)).toEqual(['exception']);
  });

  it('a real, disconnected kafkajs producer fails exactly as it does untraced', async () => {
    const kafka = new Kafka({ brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING });
    const raw = kafka.producer();
    const traced = instrumentProducer(raw, base);
    const record = { topic: 'orders', messages: [{ value: 'v' }] };
    const rawError = await rejection(raw.send(record));
    const tracedError = await rejection(traced.send(record));
    expect(tracedError.constructor).toBe(rawError.constructor);
    expect(tracedError.message).toBe(rawError.message);
    expect(tracedError.message).toBe('The producer is disconnected');
    // A message without a value is the caller's own object in kafkajs' error text, untouched.
    const invalid = { topic: 'orders', messages: [{ key: 'k' }] } as unknown as ProducerRecord;
    const rawInvalid = await rejection(raw.send(invalid));
    const tracedInvalid = await rejection(traced.send(invalid));
    expect(tracedInvalid.message).toBe(rawInvalid.message);
    expect(tracedInvalid.message).toBe('Invalid message without value for topic "orders": {"key":"k"}');
    expect(tracing.spans().map((span) => span.status.code)).toEqual([SpanStatusCode.ERROR, SpanStatusCode.ERROR]);
  });

  it('keeps the producer itself: same events, listeners and other methods; the raw one stays untraced', () => {
    const kafka = new Kafka({ brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING });
    const raw = kafka.producer();
    const rawSend = raw.send;
    const traced = instrumentProducer(raw, base);
    expect(traced).not.toBe(raw);
    expect(traced.events).toBe(raw.events);
    expect(traced.on).toBe(raw.on);
    expect(traced.connect).toBe(raw.connect);
    expect(traced.isIdempotent()).toBe(false);
    expect(traced.send).not.toBe(rawSend);
    expect(traced.send).toBe(traced.send);
    expect(raw.send).toBe(rawSend);
    expect(isInstrumented(traced)).toBe(true);
    expect(isInstrumented(raw)).toBe(false);
    expect(instrumentProducer(traced, base)).toBe(traced);
    expect(Object.keys(traced)).toEqual(Object.keys(raw));
  });

  it('rejects invalid options, or no producer, when wrapping', () => {
    expect(() => instrumentProducer(undefined as unknown as ReturnType<typeof fakeProducer>)).toThrow(TypeError);
    expect(() => instrumentProducer(fakeProducer(), { batchSpans: 'yes' as unknown as 'per-call' })).toThrow(TypeError);
    expect(() => instrumentProducer(fakeProducer(), { publishHook: 1 as unknown as undefined })).toThrow(TypeError);
    expect(() => instrumentProducer(fakeProducer(), { inbound: 'child' as unknown as 'parent' })).toThrow(TypeError);
  });
});

describe('propagate-only and hooks', () => {
  it('spans: false makes no span and injects the active context', async () => {
    const raw = fakeProducer();
    const producer = instrumentProducer(raw, { ...base, spans: false });
    const { parent } = await inParent(() => producer.send({ topic: 'orders', messages: [{ value: '1' }, { value: '2' }] }));
    expect(tracing.spans().map((span) => span.name)).toEqual(['parent']);
    expect(raw.records[0]!.messages.map((message) => message.headers!.traceparent)).toEqual([traceparentOf(parent), traceparentOf(parent)]);
  });

  it('runs publishHook with the span and the outgoing copy; a throwing hook changes nothing', async () => {
    const raw = fakeProducer();
    const seen: string[] = [];
    const producer = instrumentProducer(raw, {
      ...base,
      publishHook(span, { topic, message }) {
        span.setAttribute('app.topic', topic);
        seen.push(String(message.headers!.traceparent));
        throw new Error('hook bug');
      },
    });
    await producer.send({ topic: 'orders', messages: [{ value: '1' }] });
    const [span] = tracing.spans();
    expect(span!.attributes['app.topic']).toBe('orders');
    expect(seen).toEqual([traceparentOf(span!)]);
  });
});

describe('transactions', () => {
  it('traces send and sendBatch of a transaction; sendOffsets, commit, abort, isActive are its own', async () => {
    const raw = fakeProducer();
    const producer = instrumentProducer(raw, base);
    const transaction = await producer.transaction();
    const rawTransaction = raw.lastTransaction!;
    expect(transaction).not.toBe(rawTransaction);
    expect(transaction.commit).toBe(rawTransaction.commit);
    expect(transaction.abort).toBe(rawTransaction.abort);
    expect(transaction.sendOffsets).toBe(rawTransaction.sendOffsets);
    await transaction.send({ topic: 'orders', messages: [{ value: '1' }] });
    const [span] = tracing.spansNamed('send orders');
    expect(rawTransaction.records[0]!.messages[0]!.headers!.traceparent).toBe(traceparentOf(span!));
    expect(transaction.isActive()).toBe(true);
    await transaction.commit();
    expect(transaction.isActive()).toBe(false);
  });

  it('passes a rejected transaction() through unchanged', async () => {
    const kafka = new Kafka({ brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING });
    const raw = kafka.producer();
    const rawError = await rejection(raw.transaction());
    const tracedError = await rejection(instrumentProducer(raw, base).transaction());
    expect(tracedError.message).toBe(rawError.message);
    expect(tracedError.message).toBe('Must provide transactional id for transactional producer');
  });
});
