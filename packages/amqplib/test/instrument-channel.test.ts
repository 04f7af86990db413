import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, diag, trace } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { getMessageContext, instrumentChannel, type AmqplibInstrumentationOptions } from '../src/index.js';
import { createTestTracing, parentSpanId } from '../../core/test/support/otel.js';
import { FakeChannel, FakeConfirmChannel, fakeMessage, type FakeMessage } from './support/fake-channel.js';

const tracing = createTestTracing();
beforeEach(() => tracing.reset());
afterEach(() => vi.restoreAllMocks());

const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const wrap = <C extends object>(channel: C, options: AmqplibInstrumentationOptions = {}) =>
  instrumentChannel(channel, { propagator: 'tracecontext', tracerProvider: tracing.provider, ...options });

describe('instrumentChannel: the wrapper itself', () => {
  it('returns a proxy of the same channel: same class, other methods untouched, `this` is the proxy', async () => {
    const raw = new FakeChannel();
    const channel = wrap(raw);
    expect(channel).not.toBe(raw);
    expect(channel).toBeInstanceOf(FakeChannel);
    expect(channel.assertQueue).toBe(raw.assertQueue);
    expect(await channel.assertQueue('q')).toEqual({ queue: 'q', self: channel });
  });

  it('wraps a channel once: again, or the proxy itself, gives the same proxy', () => {
    const raw = new FakeChannel();
    const channel = wrap(raw);
    expect(wrap(raw)).toBe(channel);
    expect(wrap(channel)).toBe(channel);
  });

  it('rejects invalid options at wrap time', () => {
    expect(() => wrap(new FakeChannel(), { settleTimeoutMs: -1 })).toThrow(/settleTimeoutMs/);
    expect(() => wrap(new FakeChannel(), { settleTimeoutMs: Number.NaN })).toThrow(/settleTimeoutMs/);
    expect(() => wrap(new FakeChannel(), { publishHook: 'no' as never })).toThrow(/publishHook/);
    expect(() => wrap(new FakeChannel(), { consumeHook: 1 as never })).toThrow(/consumeHook/);
    expect(() => wrap(new FakeChannel(), { inbound: 'child' as never })).toThrow(/inbound/);
  });

  it('rejects anything that is not a channel with a TypeError, as every adapter does', () => {
    expect(() => instrumentChannel({ publish: 1 })).toThrow(new TypeError('tracehop: expected an amqplib channel to instrument'));
  });
});

describe('publish', () => {
  it('publishes through a copy of the options: the caller’s object is never written to', () => {
    const raw = new FakeChannel();
    const channel = wrap(raw);
    const base = { persistent: true };
    const options = Object.assign(Object.create(base) as object, { headers: { 'x-a': 'a' }, messageId: 'id-1' });
    channel.publish('ex', 'rk', Buffer.from('x'), options);
    const [[exchange, routingKey, , sent]] = raw.published as [[string, string, Buffer, Record<string, unknown>]];
    expect([exchange, routingKey]).toEqual(['ex', 'rk']);
    expect(sent).not.toBe(options);
    expect(sent.persistent).toBe(true); // inherited options still reach amqplib
    expect(sent.messageId).toBe('id-1');
    const [span] = tracing.spans();
    expect(sent.headers).toEqual({ 'x-a': 'a', traceparent: `00-${span!.spanContext().traceId}-${span!.spanContext().spanId}-01` });
    expect(options).toEqual({ headers: { 'x-a': 'a' }, messageId: 'id-1' });
    expect(span!.attributes['server.address']).toBe('10.1.2.3');
    expect(span!.attributes['server.port']).toBe(5673);
  });

  it('sends headers that amqplib would reject (not a table) untouched, so amqplib fails as it would', () => {
    const raw = new FakeChannel();
    wrap(raw).publish('ex', 'rk', Buffer.from('x'), { headers: 'nonsense' });
    expect((raw.published[0]![3] as { headers: unknown }).headers).toBe('nonsense');
  });

  it('copies inherited headers, which amqplib would send too', () => {
    const raw = new FakeChannel();
    const headers = Object.assign(Object.create({ 'x-inherited': 'i' }) as object, { 'x-own': 'o' });
    wrap(raw).sendToQueue('q', Buffer.from('x'), { headers });
    expect((raw.published[0]![3] as { headers: Record<string, unknown> }).headers).toMatchObject({ 'x-own': 'o', 'x-inherited': 'i' });
  });

  it('passes amqplib’s return value through', () => {
    const raw = new FakeChannel();
    raw.publishResult = false;
    expect(wrap(raw).publish('ex', 'rk', Buffer.from('x'))).toBe(false);
  });

  it('rethrows amqplib’s error as is, with the span ended in ERROR', () => {
    const raw = new FakeChannel();
    const failure = new TypeError('content is not a buffer');
    raw.publish = () => {
      throw failure;
    };
    expect(() => wrap(raw).publish('ex', 'rk', 'text' as never)).toThrow(failure);
    const [span] = tracing.spans();
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'content is not a buffer' });
    expect(span!.attributes['error.type']).toBe('TypeError');
  });

  it('runs the publishHook with the span and the message; a throwing hook is logged, never fatal', () => {
    const error = vi.spyOn(diag, 'error');
    const raw = new FakeChannel();
    const seen: unknown[] = [];
    const channel = wrap(raw, {
      publishHook: (span, info) => {
        span.setAttribute('app.tenant', 'acme');
        seen.push(info);
        throw new Error('hook bug');
      },
    });
    expect(channel.publish('ex', 'rk', Buffer.from('x'), { messageId: 'm' })).toBe(true);
    expect(seen).toEqual([{ exchange: 'ex', routingKey: 'rk', content: Buffer.from('x'), options: raw.published[0]![3], confirm: false }]);
    expect(tracing.spans()[0]!.attributes['app.tenant']).toBe('acme');
    expect(error).toHaveBeenCalledWith('tracehop: publishHook threw', expect.any(Error));
  });

  it('in propagate-only mode injects the active context and makes no span', () => {
    const raw = new FakeChannel();
    const active = trace.setSpanContext(ROOT_CONTEXT, { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 });
    context.with(active, () => wrap(raw, { spans: false }).sendToQueue('q', Buffer.from('x')));
    expect((raw.published[0]![3] as { headers: unknown }).headers).toEqual({ traceparent });
    expect(tracing.spans()).toEqual([]);
  });
});

describe('ConfirmChannel publish', () => {
  it('ends the span at the confirm and calls the caller’s callback once, with amqplib’s arguments', () => {
    const raw = new FakeConfirmChannel();
    const channel = wrap(raw);
    const calls: unknown[][] = [];
    channel.publish('ex', 'rk', Buffer.from('x'), {}, (...args: unknown[]) => calls.push(args));
    channel.sendToQueue('q', Buffer.from('y'));
    expect(tracing.spans()).toEqual([]);
    const nack = new Error('message nacked');
    raw.confirm(0, nack);
    raw.confirm(1, null);
    expect(calls).toEqual([[nack]]);
    const [first, second] = tracing.spans();
    expect(first!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'message nacked' });
    expect(second!.status.code).toBe(SpanStatusCode.UNSET);
    expect(second!.kind).toBe(SpanKind.PRODUCER);
  });
});

describe('consume', () => {
  it('passes a null delivery (server cancel) to the handler untouched, and returns what it returns', () => {
    const raw = new FakeChannel();
    const seen: unknown[] = [];
    const returned = {};
    void wrap(raw).consume('q', (message) => (seen.push(message), returned) as never);
    expect(raw.deliver('q', null)).toBe(returned);
    expect(seen).toEqual([null]);
    expect(tracing.spans()).toEqual([]);
  });

  it('runs the handler in the process span, returns its own value, and rethrows its own error', () => {
    const raw = new FakeChannel();
    const channel = wrap(raw, { consumeHook: (span, info) => span.setAttribute('app.queue', info.queue) });
    const thrown = new RangeError('handler bug');
    let active: string | undefined;
    const result = Promise.resolve('kept');
    void channel.consume('q', (message) => {
      active = trace.getActiveSpan()?.spanContext().spanId;
      if ((message as unknown as FakeMessage).fields.deliveryTag === 2) throw thrown;
      return result as never;
    });
    expect(raw.deliver('q', fakeMessage(1, { traceparent }))).toBe(result);
    expect(() => raw.deliver('q', fakeMessage(2))).toThrow(thrown);
    channel.ack(fakeMessage(1) as never);
    channel.ack(fakeMessage(2) as never);
    const [first, second] = tracing.spans();
    expect(active).toBe(second!.spanContext().spanId);
    expect(parentSpanId(first!)).toBe('b7ad6b7169203331');
    expect(first!.attributes['app.queue']).toBe('q');
    expect(second!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'handler bug' });
    expect(second!.attributes['error.type']).toBe('RangeError');
  });

  it('marks a settlement by the span’s end; a span event per settlement only with settlementEvents', () => {
    for (const settlementEvents of [undefined, true]) {
      tracing.reset();
      const raw = new FakeChannel();
      const channel = wrap(raw, settlementEvents === undefined ? {} : { settlementEvents });
      void channel.consume('q', () => undefined);
      raw.deliver('q', fakeMessage(1));
      raw.deliver('q', fakeMessage(2));
      channel.ack(fakeMessage(1) as never);
      channel.reject(fakeMessage(2) as never, false);
      const events = tracing.spans().map((span) => span.events.map((event) => [event.name, event.attributes?.['tracehop.requeue']]));
      expect(events).toEqual(settlementEvents ? [[['ack', undefined]], [['reject', false]]] : [[], []]);
    }
    expect(() => wrap(new FakeChannel(), { settlementEvents: 'yes' as unknown as boolean })).toThrow(TypeError);
  });

  it('keeps the message’s context for getMessageContext', () => {
    const raw = new FakeChannel();
    const channel = wrap(raw);
    void channel.consume('q', () => undefined);
    const message = fakeMessage(1);
    raw.deliver('q', message);
    expect(trace.getSpanContext(getMessageContext(message as never)!)?.traceId).toHaveLength(32);
    channel.nackAll(false);
  });

  it('passes every settle call to amqplib with its own arguments', () => {
    const raw = new FakeChannel();
    const channel = wrap(raw);
    const message = fakeMessage(3) as never;
    expect(channel.ack(message, true)).toBeUndefined();
    channel.nack(message);
    channel.nack(message, false, false);
    channel.reject(message, true);
    channel.ackAll();
    channel.nackAll();
    expect(raw.settled).toEqual([
      ['ack', 3, true],
      ['nack', 3, undefined, undefined],
      ['nack', 3, false, false],
      ['reject', 3, true],
      ['ackAll'],
      ['nackAll', undefined],
    ]);
  });

  it('leaves the channel’s error behaviour alone: an unhandled error still throws, and pending spans end with it', () => {
    const raw = new FakeChannel();
    const channel = wrap(raw);
    void channel.consume('q', () => undefined);
    raw.deliver('q', fakeMessage(1));
    const failure = new Error('Channel closed by server: 406 (PRECONDITION-FAILED)');
    expect(() => raw.emit('error', failure)).toThrow(failure);
    raw.emit('close');
    const [span] = tracing.spans();
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: failure.message });
  });
});

describe('get', () => {
  it('records a receive span and hands the message, and its context, back unchanged', async () => {
    const raw = new FakeChannel();
    const message = fakeMessage(1, { traceparent });
    raw.nextGet = message;
    const result = await wrap(raw).get('q');
    expect(result).toBe(message);
    const [span] = tracing.spans();
    expect(span!.name).toBe('receive q');
    expect(span!.kind).toBe(SpanKind.CLIENT);
    expect(parentSpanId(span!)).toBe('b7ad6b7169203331');
    expect(trace.getSpanContext(getMessageContext(message as never)!)?.spanId).toBe(span!.spanContext().spanId);
  });

  it('rejects with amqplib’s own error', async () => {
    const raw = new FakeChannel();
    const failure = new Error('NOT_FOUND');
    raw.get = () => Promise.reject(failure);
    await expect(wrap(raw).get('q')).rejects.toBe(failure);
    expect(tracing.spans()[0]!.status.code).toBe(SpanStatusCode.ERROR);
  });
});
