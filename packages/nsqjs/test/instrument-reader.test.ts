import type { Span } from '@opentelemetry/api';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, context, propagation, trace } from '@opentelemetry/api';
import { EventEmitter } from 'node:events';
import type { Message } from 'nsqjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestTracing, parentSpanId } from '../../core/test/support/otel.js';
import { encodeEnvelope, instrumentReader, type NsqReaderOptions } from '../src/index.js';
import { fakeReader, nextTick, nsqMessage } from './support/nsqjs-fakes.js';

const tracing = createTestTracing();
beforeEach(() => tracing.reset());
afterEach(() => vi.useRealTimers());

const producer = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED };
const TRACEPARENT = `00-${producer.traceId}-${producer.spanId}-01`;
const enveloped = (payload: string | Buffer, headers: Record<string, string> = { traceparent: TRACEPARENT, baggage: 'tenant=acme,secret=s' }) =>
  encodeEnvelope(Buffer.isBuffer(payload) ? payload : Buffer.from(payload), headers);

interface Seen {
  body: string;
  json: unknown;
  activeSpanId: string | undefined;
  baggage: Record<string, string>;
}

function setup(options: NsqReaderOptions = {}, readerOptions: Record<string, unknown> = {}) {
  const reader = instrumentReader(fakeReader('orders', 'billing', readerOptions), {
    propagator: 'tracecontext,baggage',
    tracerProvider: tracing.provider,
    ...options,
  });
  const seen: Seen[] = [];
  const record = (message: Message) => {
    let json: unknown;
    try {
      json = message.json();
    } catch (error) {
      json = (error as Error).message;
    }
    const entries = propagation.getBaggage(context.active())?.getAllEntries() ?? [];
    seen.push({
      body: message.body.toString('hex'),
      json,
      activeSpanId: trace.getActiveSpan()?.spanContext().spanId,
      baggage: Object.fromEntries(entries.map(([key, entry]) => [key, entry.value])),
    });
  };
  return { reader, seen, record };
}

async function deliver(reader: ReturnType<typeof setup>['reader'], message: Message): Promise<void> {
  reader.handleMessage(message);
  await nextTick();
}

describe('instrumentReader: an enveloped message', () => {
  it('reaches listeners unwrapped, inside a process span that is a child of the producer span', async () => {
    const { reader, seen, record } = setup();
    reader.on('message', record);
    const message = nsqMessage(enveloped('{"order":42}'), { id: '0123456789abcdef', attempts: 3 });
    await deliver(reader, message);
    expect(seen).toHaveLength(1);
    expect(Buffer.from(seen[0]!.body, 'hex').toString()).toBe('{"order":42}');
    expect(seen[0]!.json).toEqual({ order: 42 });
    expect(seen[0]!.baggage).toEqual({ tenant: 'acme', secret: 's' });
    expect(tracing.spans()).toHaveLength(0); // not settled yet

    message.finish();
    await nextTick();
    const [span] = tracing.spans();
    expect(span!.name).toBe('process orders');
    expect(span!.kind).toBe(SpanKind.CONSUMER);
    expect(span!.spanContext().traceId).toBe(producer.traceId);
    expect(parentSpanId(span!)).toBe(producer.spanId);
    expect(seen[0]!.activeSpanId).toBe(span!.spanContext().spanId);
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
    expect(span!.attributes).toEqual({
      'messaging.system': 'nsq',
      'messaging.destination.name': 'orders',
      'messaging.consumer.group.name': 'billing',
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.message.id': '0123456789abcdef',
      'messaging.nsq.message.attempts': 3,
    });
  });

  it('ends the span on requeue()', async () => {
    const { reader } = setup();
    reader.on('message', (message: Message) => message.requeue(0, false));
    await deliver(reader, nsqMessage(enveloped('x')));
    await nextTick();
    expect(tracing.spans().map((span) => span.name)).toEqual(['process orders']);
  });

  it('ends the span with MessageTimeoutError at the timeout, which touch() moves', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const { reader } = setup();
    let held: Message | undefined;
    reader.on('message', (message: Message) => (held = message));
    await deliver(reader, nsqMessage(enveloped('slow'), { msgTimeout: 1000 }));
    vi.advanceTimersByTime(900);
    held!.touch();
    await nextTick();
    vi.advanceTimersByTime(900);
    expect(tracing.spans()).toHaveLength(0);
    vi.advanceTimersByTime(200);
    const [span] = tracing.spans();
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(span!.attributes['error.type']).toBe('MessageTimeoutError');
    expect(span!.events[0]!.attributes!['exception.message']).toContain('was neither finished nor requeued before its timeout');
    held!.finish(); // too late: nothing more happens to the span
    await nextTick();
    expect(tracing.spans()).toHaveLength(1);
  });

  it('times out each pending message at its own deadline, whatever the order they arrived in', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const { reader } = setup();
    const held: Message[] = [];
    reader.on('message', (message: Message) => held.push(message));
    await deliver(reader, nsqMessage(enveloped('late'), { id: 'aaaaaaaaaaaaaaaa', msgTimeout: 3000 }));
    await deliver(reader, nsqMessage(enveloped('early'), { id: 'bbbbbbbbbbbbbbbb', msgTimeout: 1000 }));
    await deliver(reader, nsqMessage(enveloped('done'), { id: 'cccccccccccccccc', msgTimeout: 1000 }));
    held[2]!.finish();
    await nextTick();
    expect(tracing.spans().map((span) => span.attributes['messaging.message.id'])).toEqual(['cccccccccccccccc']);
    vi.advanceTimersByTime(999);
    expect(tracing.spans()).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(tracing.spans().map((span) => span.attributes['messaging.message.id'])).toEqual(['cccccccccccccccc', 'bbbbbbbbbbbbbbbb']);
    vi.advanceTimersByTime(2000);
    const [, early, late] = tracing.spans();
    expect(early!.attributes['error.type']).toBe('MessageTimeoutError');
    expect(late!.attributes['messaging.message.id']).toBe('aaaaaaaaaaaaaaaa');
    expect(late!.attributes['error.type']).toBe('MessageTimeoutError');
  });

  it("'discard' listeners get the unwrapped message in its span, which ends with nsqjs's automatic finish", async () => {
    const { reader, seen, record } = setup({}, { maxAttempts: 2 });
    reader.on('discard', record);
    reader.on('message', () => expect.unreachable('a message over maxAttempts is discarded'));
    await deliver(reader, nsqMessage(enveloped('poison'), { attempts: 3 }));
    await nextTick();
    expect(Buffer.from(seen[0]!.body, 'hex').toString()).toBe('poison');
    const [span] = tracing.spans();
    expect(seen[0]!.activeSpanId).toBe(span!.spanContext().spanId);
    expect(span!.attributes['messaging.nsq.message.attempts']).toBe(3);
  });

  it('a listener that throws: the error is recorded and rethrown unchanged', () => {
    const { reader } = setup();
    const error = new TypeError('handler bug');
    reader.on('message', () => {
      throw error;
    });
    const message = nsqMessage(enveloped('x'));
    expect(() => reader.emit('message', message)).toThrow(error);
    message.finish();
    return nextTick().then(() => {
      const [span] = tracing.spans();
      expect(span!.attributes['error.type']).toBe('TypeError');
      expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'handler bug' });
    });
  });
});

describe('instrumentReader: what is not an envelope', () => {
  it.each([
    ['text', Buffer.from('plain text')],
    ['JSON', Buffer.from('{"a":1}')],
    ['the magic and junk', Buffer.from('00f5544801ffffffff00', 'hex')],
    ['a truncated envelope', enveloped('cut').subarray(0, 20)],
  ])('delivers %s unchanged, as a new root', async (_name, body) => {
    const { reader, seen, record } = setup();
    reader.on('message', record);
    const message = nsqMessage(body);
    const ambient = tracing.provider.getTracer('t').startSpan('connect');
    context.with(trace.setSpan(ROOT_CONTEXT, ambient), () => reader.handleMessage(message));
    await nextTick();
    message.finish();
    await nextTick();
    expect(seen[0]!.body).toBe(body.toString('hex'));
    expect(message.body.equals(body)).toBe(true);
    const [span] = tracing.spans();
    expect(parentSpanId(span!)).toBeUndefined();
    expect(span!.spanContext().traceId).not.toBe(ambient.spanContext().traceId);
    expect(span!.links).toEqual([]);
  });

  it('a future version: the payload, no context', async () => {
    const { reader, seen, record } = setup();
    reader.on('message', record);
    await deliver(reader, nsqMessage(Buffer.from('00f55448020000000464656164000000027632', 'hex')));
    expect(seen[0]!.body).toBe(Buffer.from('v2').toString('hex'));
  });

  it('a message emitted again is not unwrapped again (an enveloped payload stays as sent)', async () => {
    const { reader, seen, record } = setup();
    reader.on('message', record);
    const inner = enveloped('inner');
    const message = nsqMessage(enveloped(inner));
    await deliver(reader, message);
    reader.emit('message', message);
    expect(seen.map((entry) => entry.body)).toEqual([inner.toString('hex'), inner.toString('hex')]);
  });
});

describe('instrumentReader: policies and options', () => {
  it("inbound 'link' and baggage allow-list", async () => {
    const { reader, seen, record } = setup({ inbound: 'link', baggage: ['tenant'] });
    reader.on('message', record);
    const message = nsqMessage(enveloped('x'));
    await deliver(reader, message);
    message.finish();
    await nextTick();
    const [span] = tracing.spans();
    expect(span!.spanContext().traceId).not.toBe(producer.traceId);
    expect(span!.links.map((link) => link.context.spanId)).toEqual([producer.spanId]);
    expect(seen[0]!.baggage).toEqual({ tenant: 'acme' });
  });

  it("inbound 'ignore' and baggage 'drop'", async () => {
    const { reader, seen, record } = setup({ inbound: 'ignore', baggage: 'drop' });
    reader.on('message', record);
    const message = nsqMessage(enveloped('x'));
    await deliver(reader, message);
    message.finish();
    await nextTick();
    const [span] = tracing.spans();
    expect(span!.spanContext().traceId).not.toBe(producer.traceId);
    expect(span!.links).toEqual([]);
    expect(seen[0]!.baggage).toEqual({});
    expect(Buffer.from(seen[0]!.body, 'hex').toString()).toBe('x');
  });

  it('a migration set: extract tracecontext or B3 multi', async () => {
    const { reader, record } = setup({ extract: 'tracecontext,b3multi' });
    reader.on('message', record);
    const b3 = { 'x-b3-traceid': producer.traceId, 'x-b3-spanid': producer.spanId, 'x-b3-sampled': '1' };
    const message = nsqMessage(enveloped('x', b3));
    await deliver(reader, message);
    message.finish();
    await nextTick();
    expect(parentSpanId(tracing.spans()[0]!)).toBe(producer.spanId);
  });

  it('spans: false restores the producer context without a span', async () => {
    const { reader, seen, record } = setup({ spans: false });
    reader.on('message', record);
    await deliver(reader, nsqMessage(enveloped('x')));
    expect(seen[0]!.activeSpanId).toBe(producer.spanId);
    expect(seen[0]!.baggage).toEqual({ tenant: 'acme', secret: 's' });
    expect(tracing.spans()).toHaveLength(0);
  });

  it('consumeHook sees the span, the unwrapped message and the headers; a throwing hook changes nothing', async () => {
    const calls: unknown[] = [];
    const { reader, seen, record } = setup({
      consumeHook: (span: Span, info) => {
        span.setAttribute('app.hooked', true);
        calls.push([info.topic, info.channel, info.message.body.toString(), info.headers?.traceparent]);
        throw new Error('hook bug');
      },
    });
    reader.on('message', record);
    const message = nsqMessage(enveloped('x'));
    await deliver(reader, message);
    message.finish();
    await nextTick();
    expect(calls).toEqual([['orders', 'billing', 'x', TRACEPARENT]]);
    expect(seen).toHaveLength(1);
    expect(tracing.spans()[0]!.attributes['app.hooked']).toBe(true);
  });

  it('does not modify the reader; other events pass through; invalid input throws at wrap time', () => {
    const raw = fakeReader('orders', 'billing');
    const reader = instrumentReader(raw);
    expect(Object.prototype.hasOwnProperty.call(raw, 'emit')).toBe(false);
    expect(raw.emit).toBe(EventEmitter.prototype.emit);
    const errors: string[] = [];
    reader.on('error', (error) => errors.push(error.message));
    expect(reader.emit('error', new Error('E_TOUCH_FAILED'))).toBe(true);
    expect(errors).toEqual(['E_TOUCH_FAILED']);
    expect(instrumentReader(reader)).toBe(reader);
    expect(() => instrumentReader(raw, { consumeHook: 'x' as unknown as () => void })).toThrow(TypeError);
    expect(() => instrumentReader(new EventEmitter() as unknown as typeof raw)).toThrow(TypeError);
  });
});
