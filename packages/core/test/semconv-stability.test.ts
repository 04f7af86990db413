import { afterEach, describe, expect, it, vi } from 'vitest';
import { addDeprecatedNames, messagingNames, messagingSemconvMode, resolveOptions, SemconvStability } from '../src/index.js';

afterEach(() => vi.unstubAllEnvs());

const scope = { name: 'test', version: '0' };

describe('messagingSemconvMode', () => {
  it.each([
    [undefined, 'old'],
    ['', 'old'],
    ['http', 'old'],
    ['http/dup,database', 'old'],
    ['messagingx', 'old'],
    ['messaging/dupe', 'old'],
    ['messaging', 'latest'],
    [' Messaging ', 'latest'],
    ['http,,messaging', 'latest'],
    ['messaging/dup', 'dup'],
    ['MESSAGING/DUP', 'dup'],
    // messaging/dup has higher precedence than messaging, in either order.
    ['messaging,messaging/dup', 'dup'],
    ['messaging/dup,messaging', 'dup'],
  ] as const)('%j → %s', (value, mode) => {
    expect(messagingSemconvMode(value)).toBe(mode);
  });
});

describe('messagingNames', () => {
  it('gives the names before semconv v1.45.0, v1.45.0\'s, or v1.45.0\'s with duplicates', () => {
    expect(messagingNames('old')).toEqual({
      mode: 'old',
      system: 'messaging.system',
      kafkaMessageKey: 'messaging.kafka.message.key',
      kafkaMessageTombstone: 'messaging.kafka.message.tombstone',
      kafkaOffset: 'messaging.kafka.offset',
      rabbitmqRoutingKey: 'messaging.rabbitmq.destination.routing_key',
      rabbitmqDeliveryTag: 'messaging.rabbitmq.message.delivery_tag',
    });
    const latest = {
      system: 'messaging.system.name',
      kafkaMessageKey: 'kafka.message.key',
      kafkaMessageTombstone: 'kafka.message.tombstone',
      kafkaOffset: 'kafka.offset',
      rabbitmqRoutingKey: 'rabbitmq.destination.routing_key',
      rabbitmqDeliveryTag: 'rabbitmq.message.delivery_tag',
    };
    expect(messagingNames('latest')).toEqual({ mode: 'latest', ...latest });
    expect(messagingNames('dup')).toEqual({ mode: 'dup', ...latest });
  });
});

describe('addDeprecatedNames', () => {
  const latest = () => ({
    'messaging.system.name': 'kafka',
    'kafka.message.key': 'k',
    'kafka.message.tombstone': true,
    'kafka.offset': 7,
    'rabbitmq.destination.routing_key': 'rk',
    'rabbitmq.message.delivery_tag': 3,
    'messaging.destination.name': 'orders',
  });

  it('dup: adds the old name of every renamed attribute present, and nothing else', () => {
    const attributes = latest();
    expect(addDeprecatedNames(messagingNames('dup'), attributes)).toBe(attributes);
    expect(attributes).toEqual({
      ...latest(),
      'messaging.system': 'kafka',
      'messaging.kafka.message.key': 'k',
      'messaging.kafka.message.tombstone': true,
      'messaging.kafka.offset': 7,
      'messaging.rabbitmq.destination.routing_key': 'rk',
      'messaging.rabbitmq.message.delivery_tag': 3,
    });
    const partial: Record<string, unknown> = { 'messaging.system.name': 'nsq', 'messaging.nsq.message.attempts': 2 };
    addDeprecatedNames(messagingNames('dup'), partial as never);
    expect(partial).toEqual({ 'messaging.system.name': 'nsq', 'messaging.system': 'nsq', 'messaging.nsq.message.attempts': 2 });
  });

  it('old and latest: changes nothing', () => {
    for (const mode of ['old', 'latest'] as const) {
      const attributes = latest();
      addDeprecatedNames(messagingNames(mode), attributes);
      expect(attributes).toEqual(latest());
    }
  });
});

describe('SemconvStability', () => {
  it('reads OTEL_SEMCONV_STABILITY_OPT_IN on the first use and keeps it', () => {
    const stability = new SemconvStability();
    vi.stubEnv('OTEL_SEMCONV_STABILITY_OPT_IN', 'messaging/dup');
    expect(stability.current().mode).toBe('dup');
    vi.stubEnv('OTEL_SEMCONV_STABILITY_OPT_IN', 'messaging');
    expect(stability.current().mode).toBe('dup');
    expect(new SemconvStability().current().mode).toBe('latest');
  });

  it('resolveOptions: not read at wrap time, read at the first use of the client', () => {
    vi.stubEnv('OTEL_SEMCONV_STABILITY_OPT_IN', 'messaging');
    const resolved = resolveOptions({}, scope);
    vi.stubEnv('OTEL_SEMCONV_STABILITY_OPT_IN', '');
    expect(resolved.semconv.mode).toBe('old');
    vi.stubEnv('OTEL_SEMCONV_STABILITY_OPT_IN', 'messaging');
    expect(resolved.semconv.mode).toBe('old');
    expect(resolveOptions({}, scope).semconv.system).toBe('messaging.system.name');
  });
});
