import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { instrumentChannel } from '../src/index.js';
import { producerDestination } from '../src/destination.js';
import { metricAttributes } from '../src/metric-attributes.js';
import { messagingNames } from '@tracehop/core';
import { createTestTracing } from '../../core/test/support/otel.js';
import { FakeChannel, fakeMessage } from './support/fake-channel.js';

// OTEL_SEMCONV_STABILITY_OPT_IN on RabbitMQ spans and metrics: exact attribute sets per mode
// (docs/semantics.md, "Semantic conventions version").

const tracing = createTestTracing();
beforeEach(() => tracing.reset());
afterEach(() => vi.unstubAllEnvs());

const SERVER = { 'server.address': '10.1.2.3', 'server.port': 5673 };

/** One publish and one consumed, acked delivery on a freshly wrapped channel. */
function publishAndConsume() {
  const raw = new FakeChannel();
  const channel = instrumentChannel(raw, { propagator: 'tracecontext', tracerProvider: tracing.provider });
  channel.publish('shop', 'orders.new', Buffer.from('x'), { messageId: 'id-1' });
  void channel.consume('billing', () => undefined);
  raw.deliver('billing', fakeMessage(7, undefined, 'orders.new'));
  channel.ack(fakeMessage(7, undefined, 'orders.new') as never);
  const send = tracing.spans().find((span) => span.name.startsWith('send'))!;
  const process = tracing.spans().find((span) => span.name.startsWith('process'))!;
  return { send: send.attributes, process: process.attributes };
}

const SEND = {
  'messaging.operation.type': 'send',
  'messaging.operation.name': 'send',
  'messaging.destination.name': 'shop:orders.new',
  'messaging.message.id': 'id-1',
  ...SERVER,
};
const PROCESS = {
  'messaging.operation.type': 'process',
  'messaging.operation.name': 'process',
  'messaging.destination.name': 'orders.new:billing',
  ...SERVER,
};

describe('RabbitMQ attribute names per OTEL_SEMCONV_STABILITY_OPT_IN', () => {
  it('unset: the names before semconv v1.45.0', () => {
    expect(publishAndConsume()).toEqual({
      send: { ...SEND, 'messaging.system': 'rabbitmq', 'messaging.rabbitmq.destination.routing_key': 'orders.new' },
      process: {
        ...PROCESS,
        'messaging.system': 'rabbitmq',
        'messaging.rabbitmq.destination.routing_key': 'orders.new',
        'messaging.rabbitmq.message.delivery_tag': 7,
      },
    });
  });

  it('messaging: v1.45.0 names only', () => {
    vi.stubEnv('OTEL_SEMCONV_STABILITY_OPT_IN', 'messaging');
    expect(publishAndConsume()).toEqual({
      send: { ...SEND, 'messaging.system.name': 'rabbitmq', 'rabbitmq.destination.routing_key': 'orders.new' },
      process: {
        ...PROCESS,
        'messaging.system.name': 'rabbitmq',
        'rabbitmq.destination.routing_key': 'orders.new',
        'rabbitmq.message.delivery_tag': 7,
      },
    });
  });

  it('messaging/dup: both names of every renamed attribute', () => {
    vi.stubEnv('OTEL_SEMCONV_STABILITY_OPT_IN', 'messaging/dup');
    expect(publishAndConsume()).toEqual({
      send: {
        ...SEND,
        'messaging.system.name': 'rabbitmq',
        'messaging.system': 'rabbitmq',
        'rabbitmq.destination.routing_key': 'orders.new',
        'messaging.rabbitmq.destination.routing_key': 'orders.new',
      },
      process: {
        ...PROCESS,
        'messaging.system.name': 'rabbitmq',
        'messaging.system': 'rabbitmq',
        'rabbitmq.destination.routing_key': 'orders.new',
        'messaging.rabbitmq.destination.routing_key': 'orders.new',
        'rabbitmq.message.delivery_tag': 7,
        'messaging.rabbitmq.message.delivery_tag': 7,
      },
    });
  });

  it('metric attributes: messaging.system per mode, nothing per message', () => {
    const destination = producerDestination('shop', 'orders.new');
    const common = { 'messaging.operation.name': 'send', 'messaging.operation.type': 'send', 'messaging.destination.name': 'shop:orders.new', ...SERVER };
    expect(metricAttributes(messagingNames('old'), 'send', destination, SERVER, true)).toEqual({ ...common, 'messaging.system': 'rabbitmq' });
    expect(metricAttributes(messagingNames('latest'), 'send', destination, SERVER, true)).toEqual({ ...common, 'messaging.system.name': 'rabbitmq' });
    expect(metricAttributes(messagingNames('dup'), 'send', destination, SERVER, true)).toEqual({
      ...common,
      'messaging.system.name': 'rabbitmq',
      'messaging.system': 'rabbitmq',
    });
  });
});
