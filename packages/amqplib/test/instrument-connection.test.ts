import { diag } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { instrumentChannel, instrumentConnection } from '../src/index.js';
import { createTestTracing } from '../../core/test/support/otel.js';
import { FakeCallbackConnection, FakeChannel, FakeConfirmChannel, FakeConnection } from './support/fake-channel.js';

const tracing = createTestTracing();
beforeEach(() => tracing.reset());
afterEach(() => vi.restoreAllMocks());

const options = { propagator: 'tracecontext', tracerProvider: tracing.provider };

describe('instrumentConnection', () => {
  it('promise API: every channel and confirm channel it creates is traced', async () => {
    const raw = new FakeConnection();
    const connection = instrumentConnection(raw, options);
    const channel = await connection.createChannel();
    const confirm = await connection.createConfirmChannel();
    expect(channel).not.toBe(raw.created[0]);
    expect(channel).toBeInstanceOf(FakeChannel);
    expect(confirm).toBeInstanceOf(FakeConfirmChannel);
    expect(instrumentChannel(raw.created[0]!)).toBe(channel);
    channel.sendToQueue('q', Buffer.from('x'));
    expect(tracing.spans().map((span) => span.name)).toEqual(['send q']);
  });

  it('callback API: the callback gets the traced channel, and so does the immediate return value', async () => {
    const raw = new FakeCallbackConnection();
    const connection = instrumentConnection(raw, options);
    let returned: unknown;
    const channel = await new Promise<FakeChannel>((resolve) => {
      returned = connection.createChannel((_error: Error | null, created?: FakeChannel) => resolve(created!));
    });
    expect(returned).toBe(channel);
    channel.publish('ex', 'rk', Buffer.from('x'));
    expect(tracing.spans().map((span) => span.name)).toEqual(['send ex:rk']);
  });

  it('callback API: a method that returns the connection returns the wrapper, and options may come first', async () => {
    const raw = new FakeCallbackConnection();
    const connection = instrumentConnection(raw, options);
    let returned: unknown;
    const channel = await new Promise<FakeConfirmChannel>((resolve) => {
      returned = connection.createConfirmChannel({}, (_error: Error | null, created?: FakeConfirmChannel) => resolve(created!));
    });
    expect(returned).toBe(connection);
    expect(instrumentChannel(channel)).toBe(channel);
  });

  it('passes a failure to create a channel through as is', async () => {
    const raw = new FakeConnection();
    const failure = new Error('NOT_ALLOWED');
    raw.createChannel = () => Promise.reject(failure);
    await expect(instrumentConnection(raw, options).createChannel()).rejects.toBe(failure);
  });

  it('wrapping a wrapper, or the same connection again, returns the first wrapper; anything else is a TypeError', () => {
    const warn = vi.spyOn(diag, 'warn');
    const raw = new FakeConnection();
    const connection = instrumentConnection(raw, options);
    expect(instrumentConnection(connection)).toBe(connection);
    expect(instrumentConnection(raw)).toBe(connection);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('already instrumented'));
    expect(() => instrumentConnection({ createChannel: () => undefined })).toThrow(TypeError);
  });

  it('rejects invalid options at wrap time', () => {
    expect(() => instrumentConnection(new FakeConnection(), { settleTimeoutMs: 'soon' as never })).toThrow(TypeError);
  });
});
