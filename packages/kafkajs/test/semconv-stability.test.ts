import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { instrumentConsumer, instrumentProducer, type KafkaInstrumentationOptions } from '../src/index.js';
import { resolveKafkaOptions } from '../src/kafka-options.js';
import { processMetricAttributes, sendMetrics } from '../src/metric-attributes.js';
import { createTestTracing } from '../../core/test/support/otel.js';
import { PRODUCER_CONTEXT, fakeConsumer, fakeProducer, inboundHeaders, kafkaMessage } from './support/kafka-fakes.js';

// OTEL_SEMCONV_STABILITY_OPT_IN on Kafka spans and metrics: exact attribute sets per mode
// (docs/semantics.md, "Semantic conventions version").

const tracing = createTestTracing();
beforeEach(() => tracing.reset());
afterEach(() => vi.unstubAllEnvs());

const base: KafkaInstrumentationOptions = {
  propagator: 'tracecontext',
  tracerProvider: tracing.provider,
  clientId: 'billing-1',
  serverAddress: 'kafka.local:9092',
};

const SEND_COMMON = {
  'messaging.operation.type': 'send',
  'messaging.operation.name': 'send',
  'messaging.destination.name': 'orders',
  'messaging.destination.partition.id': '2',
  'messaging.client.id': 'billing-1',
  'server.address': 'kafka.local',
  'server.port': 9092,
};

const PROCESS_COMMON = {
  'messaging.client.id': 'billing-1',
  'server.address': 'kafka.local',
  'server.port': 9092,
  'messaging.operation.type': 'process',
  'messaging.operation.name': 'process',
  'messaging.destination.name': 'orders',
  'messaging.destination.partition.id': '2',
  'messaging.consumer.group.name': 'billing',
};

async function sendTombstone(options: KafkaInstrumentationOptions = base) {
  const raw = fakeProducer();
  const producer = instrumentProducer(raw, options);
  await producer.send({ topic: 'orders', messages: [{ key: 'order-7', value: null }] });
  return tracing.spansNamed('send orders')[0]!.attributes;
}

async function processOne() {
  const raw = fakeConsumer();
  await instrumentConsumer(raw, base).run({ eachMessage: async () => {} });
  raw.emit('consumer.group_join', { groupId: 'billing', memberId: 'm-1' });
  await raw.deliver('orders', 2, kafkaMessage({ key: Buffer.from('order-7'), offset: '42', headers: inboundHeaders() }));
  return tracing.spansNamed('process orders')[0]!.attributes;
}

async function batchLinks() {
  const raw = fakeConsumer();
  await instrumentConsumer(raw, base).run({ eachBatch: async () => {} });
  await raw.deliverBatch('orders', 2, [kafkaMessage({ offset: '10', headers: inboundHeaders(PRODUCER_CONTEXT) })]);
  const [span] = tracing.spansNamed('process orders');
  return { attributes: span!.attributes, links: span!.links.map((link) => link.attributes) };
}

describe('Kafka attribute names per OTEL_SEMCONV_STABILITY_OPT_IN', () => {
  it('unset: the names before semconv v1.45.0, as the OpenTelemetry kafkajs instrumentation emits them', async () => {
    expect(await sendTombstone()).toEqual({
      ...SEND_COMMON,
      'messaging.system': 'kafka',
      'messaging.kafka.message.key': 'order-7',
      'messaging.kafka.message.tombstone': true,
      'messaging.kafka.offset': 41,
    });
    tracing.reset();
    expect(await processOne()).toEqual({
      ...PROCESS_COMMON,
      'messaging.system': 'kafka',
      'messaging.kafka.message.key': 'order-7',
      'messaging.kafka.offset': 42,
    });
    tracing.reset();
    const batch = await batchLinks();
    expect(batch.attributes['messaging.system']).toBe('kafka');
    expect(batch.links).toEqual([{ 'messaging.kafka.offset': 10 }]);
  });

  it('messaging: v1.45.0 names only', async () => {
    vi.stubEnv('OTEL_SEMCONV_STABILITY_OPT_IN', 'http, messaging');
    expect(await sendTombstone()).toEqual({
      ...SEND_COMMON,
      'messaging.system.name': 'kafka',
      'kafka.message.key': 'order-7',
      'kafka.message.tombstone': true,
      'kafka.offset': 41,
    });
    tracing.reset();
    expect(await processOne()).toEqual({
      ...PROCESS_COMMON,
      'messaging.system.name': 'kafka',
      'kafka.message.key': 'order-7',
      'kafka.offset': 42,
    });
    tracing.reset();
    const batch = await batchLinks();
    expect(batch.attributes['messaging.system.name']).toBe('kafka');
    expect(batch.attributes['messaging.system']).toBeUndefined();
    expect(batch.links).toEqual([{ 'kafka.offset': 10 }]);
  });

  it('messaging/dup (which wins over messaging): both names of every renamed attribute', async () => {
    vi.stubEnv('OTEL_SEMCONV_STABILITY_OPT_IN', 'messaging,MESSAGING/DUP');
    expect(await sendTombstone()).toEqual({
      ...SEND_COMMON,
      'messaging.system.name': 'kafka',
      'messaging.system': 'kafka',
      'kafka.message.key': 'order-7',
      'messaging.kafka.message.key': 'order-7',
      'kafka.message.tombstone': true,
      'messaging.kafka.message.tombstone': true,
      'kafka.offset': 41,
      'messaging.kafka.offset': 41,
    });
    tracing.reset();
    expect(await processOne()).toEqual({
      ...PROCESS_COMMON,
      'messaging.system.name': 'kafka',
      'messaging.system': 'kafka',
      'kafka.message.key': 'order-7',
      'messaging.kafka.message.key': 'order-7',
      'kafka.offset': 42,
      'messaging.kafka.offset': 42,
    });
    tracing.reset();
    const batch = await batchLinks();
    expect(batch.attributes['messaging.system.name']).toBe('kafka');
    expect(batch.attributes['messaging.system']).toBe('kafka');
    expect(batch.links).toEqual([{ 'kafka.offset': 10, 'messaging.kafka.offset': 10 }]);
  });

  it('is read when a client is first used, not when it is wrapped, and kept for that client', async () => {
    const raw = fakeProducer();
    const producer = instrumentProducer(raw, base);
    vi.stubEnv('OTEL_SEMCONV_STABILITY_OPT_IN', 'messaging');
    await producer.send({ topic: 'orders', messages: [{ value: 'a' }] });
    vi.stubEnv('OTEL_SEMCONV_STABILITY_OPT_IN', '');
    await producer.send({ topic: 'orders', messages: [{ value: 'b' }] });
    const [first, second] = tracing.spansNamed('send orders');
    expect(first!.attributes['messaging.system.name']).toBe('kafka');
    expect(second!.attributes['messaging.system.name']).toBe('kafka');
    expect(second!.attributes['messaging.system']).toBeUndefined();
    // A client used for the first time now follows the new value.
    tracing.reset();
    expect(await sendTombstone()).toHaveProperty(['messaging.system'], 'kafka');
  });

  it('metric attributes: only messaging.system is renamed among them', () => {
    const attributesIn = (mode: string) => {
      vi.stubEnv('OTEL_SEMCONV_STABILITY_OPT_IN', mode);
      const settings = resolveKafkaOptions(base);
      const { operation, sent } = sendMetrics(settings, [{ topic: 'orders', messages: [{ value: 'a' }] }], 'orders', undefined);
      const process = processMetricAttributes({ settings, groupId: 'billing' }, 'orders', 2);
      return { operation, sent: sent?.map((group) => group.attributes), process };
    };
    const common = { 'messaging.operation.name': 'send', 'messaging.destination.name': 'orders', 'server.address': 'kafka.local', 'server.port': 9092 };
    const processCommon = {
      'messaging.operation.name': 'process',
      'messaging.destination.name': 'orders',
      'messaging.destination.partition.id': '2',
      'messaging.consumer.group.name': 'billing',
      'server.address': 'kafka.local',
      'server.port': 9092,
    };
    expect(attributesIn('')).toEqual({
      operation: { ...common, 'messaging.system': 'kafka', 'messaging.operation.type': 'send' },
      sent: [{ ...common, 'messaging.system': 'kafka' }],
      process: { ...processCommon, 'messaging.system': 'kafka' },
    });
    expect(attributesIn('messaging')).toEqual({
      operation: { ...common, 'messaging.system.name': 'kafka', 'messaging.operation.type': 'send' },
      sent: [{ ...common, 'messaging.system.name': 'kafka' }],
      process: { ...processCommon, 'messaging.system.name': 'kafka' },
    });
    expect(attributesIn('messaging/dup')).toEqual({
      operation: { ...common, 'messaging.system.name': 'kafka', 'messaging.system': 'kafka', 'messaging.operation.type': 'send' },
      sent: [{ ...common, 'messaging.system.name': 'kafka', 'messaging.system': 'kafka' }],
      process: { ...processCommon, 'messaging.system.name': 'kafka', 'messaging.system': 'kafka' },
    });
  });
});
