import type { Message } from 'nsqjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { messagingNames } from '@tracehop/core';
import { createTestTracing } from '../../core/test/support/otel.js';
import { instrumentReader, instrumentWriter } from '../src/index.js';
import { processMetricAttributes, sendMetricAttributes } from '../src/metric-attributes.js';
import { fakeReader, fakeWriter, nextTick, nsqMessage } from './support/nsqjs-fakes.js';

// OTEL_SEMCONV_STABILITY_OPT_IN on NSQ spans and metrics: of NSQ's attributes only
// messaging.system was renamed (v1.45.0: messaging.system.name); messaging.nsq.message.attempts
// is tracehop's own and keeps its name (docs/semantics.md, "Semantic conventions version").

const tracing = createTestTracing();
beforeEach(() => tracing.reset());
afterEach(() => vi.unstubAllEnvs());

const SEND = {
  'messaging.destination.name': 'orders',
  'messaging.operation.type': 'send',
  'messaging.operation.name': 'send',
  'server.address': '127.0.0.1',
  'server.port': 4150,
};
const PROCESS = {
  'messaging.destination.name': 'orders',
  'messaging.consumer.group.name': 'billing',
  'messaging.operation.type': 'process',
  'messaging.operation.name': 'process',
  'messaging.message.id': '0123456789abcdef',
  'messaging.nsq.message.attempts': 3,
};

async function publishAndProcess() {
  const { writer, conn } = fakeWriter();
  instrumentWriter(writer, { propagator: 'tracecontext', tracerProvider: tracing.provider }).publish('orders', 'x');
  conn.answer();
  const reader = instrumentReader(fakeReader('orders', 'billing'), { propagator: 'tracecontext', tracerProvider: tracing.provider });
  reader.on('message', (message: Message) => message.finish());
  reader.handleMessage(nsqMessage(Buffer.from('raw'), { id: '0123456789abcdef', attempts: 3 }));
  await nextTick();
  return {
    send: tracing.spansNamed('send orders')[0]!.attributes,
    process: tracing.spansNamed('process orders')[0]!.attributes,
  };
}

describe('NSQ attribute names per OTEL_SEMCONV_STABILITY_OPT_IN', () => {
  it('unset: messaging.system', async () => {
    expect(await publishAndProcess()).toEqual({
      send: { ...SEND, 'messaging.system': 'nsq' },
      process: { ...PROCESS, 'messaging.system': 'nsq' },
    });
  });

  it('messaging: messaging.system.name only', async () => {
    vi.stubEnv('OTEL_SEMCONV_STABILITY_OPT_IN', 'messaging');
    expect(await publishAndProcess()).toEqual({
      send: { ...SEND, 'messaging.system.name': 'nsq' },
      process: { ...PROCESS, 'messaging.system.name': 'nsq' },
    });
  });

  it('messaging/dup: both', async () => {
    vi.stubEnv('OTEL_SEMCONV_STABILITY_OPT_IN', 'messaging/dup');
    expect(await publishAndProcess()).toEqual({
      send: { ...SEND, 'messaging.system.name': 'nsq', 'messaging.system': 'nsq' },
      process: { ...PROCESS, 'messaging.system.name': 'nsq', 'messaging.system': 'nsq' },
    });
  });

  it('metric attributes per mode', () => {
    const server = { 'server.address': '127.0.0.1', 'server.port': 4150 };
    const process = { 'messaging.operation.name': 'process', 'messaging.destination.name': 'orders', 'messaging.consumer.group.name': 'billing' };
    expect(sendMetricAttributes(messagingNames('old'), 'orders', server)).toEqual({ ...SEND, 'messaging.system': 'nsq' });
    expect(sendMetricAttributes(messagingNames('latest'), 'orders', server)).toEqual({ ...SEND, 'messaging.system.name': 'nsq' });
    expect(processMetricAttributes(messagingNames('dup'), 'orders', 'billing')).toEqual({
      ...process,
      'messaging.system.name': 'nsq',
      'messaging.system': 'nsq',
    });
  });
});
