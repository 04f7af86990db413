import { describe, expect, it } from 'vitest';
import { consumerDestination, producerDestination, queueDestination, spanName } from '../src/destination.js';

describe('producer destinations (semconv RabbitMQ: {exchange}:{routing key})', () => {
  it('joins exchange and routing key when both are present', () => {
    expect(producerDestination('orders', 'created')).toEqual({ name: 'orders:created', anonymous: false, temporary: false });
  });

  it('uses the one present when only one is', () => {
    expect(producerDestination('', 'invoices').name).toBe('invoices');
    expect(producerDestination('fanout', '').name).toBe('fanout');
  });

  it('names the default exchange without a routing key amq.default', () => {
    expect(producerDestination('', '').name).toBe('amq.default');
  });

  it('flags server-named queues as anonymous and direct reply-to as temporary', () => {
    expect(producerDestination('', 'amq.gen-JzTY20BRgKO-HjmUJj0wLg')).toEqual({
      name: 'amq.gen-JzTY20BRgKO-HjmUJj0wLg',
      anonymous: true,
      temporary: false,
    });
    expect(producerDestination('', 'amq.rabbitmq.reply-to.g1h2AA5yZXBseUAxMjM0NTY3OAAAAAA=')).toMatchObject({ anonymous: false, temporary: true });
  });
});

describe('consumer destinations ({exchange}:{routing key}:{queue})', () => {
  it('joins all three parts', () => {
    expect(consumerDestination('logs', 'warning', 'ops').name).toBe('logs:warning:ops');
  });

  it('leaves empty parts out', () => {
    expect(consumerDestination('logs', '', 'ops').name).toBe('logs:ops');
    expect(consumerDestination('', 'warning', 'ops').name).toBe('warning:ops');
    expect(consumerDestination('', '', 'ops').name).toBe('ops');
  });

  it('uses routing key and queue once when they are equal (the default exchange’s routing)', () => {
    expect(consumerDestination('', 'invoices', 'invoices').name).toBe('invoices');
    expect(consumerDestination('dlx', 'work', 'work').name).toBe('dlx:work');
  });

  it('falls back to amq.default when nothing names it', () => {
    expect(consumerDestination('', '', '').name).toBe('amq.default');
  });

  it('flags a server-named queue as anonymous', () => {
    expect(consumerDestination('ex', 'key', 'amq.gen-abc')).toMatchObject({ anonymous: true, temporary: false });
  });
});

describe('span names ({operation} {destination})', () => {
  it('name the destination', () => {
    expect(spanName('send', producerDestination('orders', 'created'))).toBe('send orders:created');
    expect(spanName('process', consumerDestination('', 'invoices', 'invoices'))).toBe('process invoices');
    expect(spanName('receive', queueDestination('jobs'))).toBe('receive jobs');
  });

  it('leave temporary, anonymous and empty destinations out', () => {
    expect(spanName('send', producerDestination('', 'amq.rabbitmq.reply-to.abc'))).toBe('send');
    expect(spanName('process', consumerDestination('', 'amq.gen-x', 'amq.gen-x'))).toBe('process');
    expect(spanName('receive', queueDestination(''))).toBe('receive');
  });
});
