import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import { readFileSync } from 'node:fs';
import { Writer } from 'nsqjs';
import { beforeEach, describe, expect, it } from 'vitest';
import { createTestTracing, parentSpanId } from '../../core/test/support/otel.js';
import { MessageTooLargeError, instrumentWriter, type NsqWriterOptions } from '../src/index.js';
import { INSTRUMENTATION_SCOPE } from '../src/version.js';
import { fakeWriter } from './support/nsqjs-fakes.js';
import { opened, parentIdOf } from './support/wire.js';

const tracing = createTestTracing();
beforeEach(() => tracing.reset());

function wrapped(options: NsqWriterOptions = {}) {
  const { writer, conn } = fakeWriter();
  const proxy = instrumentWriter(writer, { propagator: 'tracecontext,baggage', tracerProvider: tracing.provider, ...options });
  return { writer, proxy, conn };
}

const SEND_ATTRIBUTES = {
  'messaging.system': 'nsq',
  'messaging.destination.name': 'orders',
  'messaging.operation.type': 'send',
  'messaging.operation.name': 'send',
  'server.address': '127.0.0.1',
  'server.port': 4150,
};

describe('instrumentWriter: one message', () => {
  it('makes a PRODUCER send span that ends on nsqd OK, and envelopes the payload with its context', () => {
    const { proxy, conn } = wrapped();
    const calls: unknown[][] = [];
    proxy.publish('orders', 'héllo', (...args: unknown[]) => calls.push(args));
    expect(tracing.spans()).toHaveLength(0);
    expect(conn.sent).toHaveLength(1);
    const { headers, body } = opened(conn.sent[0]!.msgs[0]);
    expect(body.toString('utf8')).toBe('héllo');
    expect(conn.sent[0]!.timeMs).toBeUndefined();

    conn.answer();
    expect(calls).toEqual([[null]]);
    const [span] = tracing.spans();
    expect(span!.name).toBe('send orders');
    expect(span!.kind).toBe(SpanKind.PRODUCER);
    expect(span!.attributes).toEqual(SEND_ATTRIBUTES);
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
    expect(headers).toEqual({ traceparent: `00-${span!.spanContext().traceId}-${span!.spanContext().spanId}-01` });
  });

  it('is a child of the active span, carries its baggage, and calls back in the caller context', () => {
    const { proxy, conn } = wrapped();
    const parent = tracing.provider.getTracer('t').startSpan('checkout');
    const active = propagation.setBaggage(trace.setSpan(ROOT_CONTEXT, parent), propagation.createBaggage({ tenant: { value: 'acme' } }));
    let inCallback: string | undefined;
    context.with(active, () => proxy.publish('orders', Buffer.from([0, 1, 2]), () => {
      inCallback = trace.getActiveSpan()?.spanContext().spanId;
    }));
    context.with(ROOT_CONTEXT, () => conn.answer());
    const [span] = tracing.spansNamed('send orders');
    expect(parentSpanId(span!)).toBe(parent.spanContext().spanId);
    expect(inCallback).toBe(parent.spanContext().spanId);
    const { headers, body } = opened(conn.sent[0]!.msgs[0]);
    expect(headers.baggage).toBe('tenant=acme');
    expect(parentIdOf(headers.traceparent)).toBe(span!.spanContext().spanId);
    expect([...body]).toEqual([0, 1, 2]);
  });

  it('serialises an object exactly as nsqjs does (JSON.stringify), before enveloping', () => {
    const { proxy, conn } = wrapped();
    const order = { id: 42, note: 'crème', tags: ['a'], at: new Date(0) };
    proxy.publish('orders', order);
    expect(opened(conn.sent[0]!.msgs[0]).body.toString('utf8')).toBe(JSON.stringify(order));
  });

  it('a one-element array is one message (nsqjs sends PUB): a send span without batch count', () => {
    const { proxy, conn } = wrapped();
    proxy.publish('orders', ['only']);
    conn.answer();
    expect(Array.isArray(conn.sent[0]!.msgs)).toBe(true);
    expect(tracing.spans().map((span) => [span.name, span.kind, span.attributes['messaging.batch.message_count']])).toEqual([
      ['send orders', SpanKind.PRODUCER, undefined],
    ]);
  });

  it('deferPublish: a send span, the envelope sent as DPUB with the same delay', () => {
    const { proxy, conn } = wrapped();
    const calls: unknown[][] = [];
    proxy.deferPublish('orders', ['later'], 1500, (...args: unknown[]) => calls.push(args));
    expect(conn.sent[0]!.timeMs).toBe(1500);
    expect(opened(conn.sent[0]!.msgs[0]).body.toString()).toBe('later');
    conn.answer();
    expect(calls).toEqual([[null]]);
    expect(tracing.spans().map((span) => span.name)).toEqual(['send orders']);
  });
});

describe('instrumentWriter: multi-publish', () => {
  it("'per-message' (default): a create span per message, carried by it, and a CLIENT send span linking them", () => {
    const { proxy, conn } = wrapped();
    proxy.publish('orders', ['a', Buffer.from('b'), { c: 3 }]);
    const creates = tracing.spansNamed('create orders');
    expect(creates).toHaveLength(3);
    expect(tracing.spansNamed('send orders')).toHaveLength(0);
    const bodies = conn.sent[0]!.msgs.map((message) => opened(message));
    expect(bodies.map((message) => message.body.toString())).toEqual(['a', 'b', '{"c":3}']);
    expect(bodies.map((message) => parentIdOf(message.headers.traceparent))).toEqual(creates.map((span) => span.spanContext().spanId));
    for (const create of creates) {
      expect(create.kind).toBe(SpanKind.PRODUCER);
      expect(create.attributes).toEqual({ ...SEND_ATTRIBUTES, 'messaging.operation.type': 'create', 'messaging.operation.name': 'create' });
    }
    conn.answer();
    const [send] = tracing.spansNamed('send orders');
    expect(send!.kind).toBe(SpanKind.CLIENT);
    expect(send!.attributes).toEqual({ ...SEND_ATTRIBUTES, 'messaging.batch.message_count': 3 });
    expect(send!.links.map((link) => link.context.spanId)).toEqual(creates.map((span) => span.spanContext().spanId));
  });

  it("'per-call': one PRODUCER send span whose context every message carries", () => {
    const { proxy, conn } = wrapped({ batchSpans: 'per-call' });
    proxy.publish('orders', ['a', 'b']);
    conn.answer();
    const [send] = tracing.spans();
    expect(tracing.spans()).toHaveLength(1);
    expect(send!.kind).toBe(SpanKind.PRODUCER);
    expect(send!.attributes['messaging.batch.message_count']).toBe(2);
    const parents = conn.sent[0]!.msgs.map((message) => parentIdOf(opened(message).headers.traceparent));
    expect(parents).toEqual([send!.spanContext().spanId, send!.spanContext().spanId]);
  });
});

describe('instrumentWriter: errors are reported as nsqjs reports them', () => {
  it('an nsqd error reaches the callback unchanged and is recorded on the span', () => {
    const { proxy, conn } = wrapped();
    const calls: unknown[][] = [];
    proxy.publish('orders', 'x', (...args: unknown[]) => calls.push(args));
    const error = new Error('E_BAD_TOPIC PUB topic name "orders" is not valid');
    conn.answer(error);
    expect(calls).toEqual([[error]]);
    const [span] = tracing.spans();
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: error.message });
    expect(span!.attributes['error.type']).toBe('Error');
    expect(span!.events.map((event) => event.name)).toEqual(['exception']);
  });

  it('a closed connection: callback(err) with a callback, a throw without one, as nsqjs does', () => {
    const { writer, proxy, conn } = wrapped();
    conn.state = 'CLOSED';
    const rawError = (() => {
      try {
        writer.publish('orders', 'x');
      } catch (error) {
        return error as Error;
      }
    })();
    expect(rawError?.message).toBe('No active Writer connection to send messages');
    expect(() => proxy.publish('orders', 'x')).toThrow(rawError!.message);
    const calls: unknown[][] = [];
    proxy.publish('orders', 'x', (...args: unknown[]) => calls.push(args));
    expect(calls).toHaveLength(1);
    expect((calls[0]![0] as Error).message).toBe(rawError!.message);
    expect(tracing.spans().map((span) => span.status.code)).toEqual([SpanStatusCode.ERROR, SpanStatusCode.ERROR]);
  });

  it('an envelope over maxMessageSize fails before sending: MessageTooLargeError to the callback, or thrown', () => {
    const { proxy, conn } = wrapped({ maxMessageSize: 200 });
    const payload = 'x'.repeat(200 - 85 + 1); // 85 bytes of envelope with a traceparent
    const calls: unknown[][] = [];
    proxy.publish('orders', payload, (...args: unknown[]) => calls.push(args));
    expect(conn.sent).toHaveLength(0);
    const error = calls[0]![0] as MessageTooLargeError;
    expect(error).toBeInstanceOf(MessageTooLargeError);
    expect([error.topic, error.size, error.limit]).toEqual(['orders', 201, 200]);
    expect(error.message).toContain('over nsqd\'s --max-msg-size of 200 bytes; nothing was sent');
    expect(() => proxy.publish('orders', ['ok', payload])).toThrow(MessageTooLargeError);
    expect(conn.sent).toHaveLength(0);
    proxy.publish('orders', 'x'.repeat(200 - 85));
    expect(opened(conn.sent[0]!.msgs[0]).body.length).toBe(115);
    const failed = tracing.spans().filter((span) => span.status.code === SpanStatusCode.ERROR);
    expect(failed.map((span) => [span.name, span.attributes['error.type']])).toEqual([
      ['send orders', 'MessageTooLargeError'],
      ['create orders', 'MessageTooLargeError'],
      ['create orders', 'MessageTooLargeError'],
      ['send orders', 'MessageTooLargeError'],
    ]);
  });
});

describe('instrumentWriter: options', () => {
  it('envelope: a per-topic switch; raw topics get their payload untouched (and no size check), still a span', () => {
    const { proxy, conn } = wrapped({ envelope: (topic) => topic !== 'legacy', maxMessageSize: 100 });
    const order = { id: 1 };
    proxy.publish('legacy', order);
    proxy.publish('legacy', 'y'.repeat(500));
    proxy.publish('orders', 'z');
    expect(conn.sent[0]!.msgs).toEqual(['{"id":1}']); // nsqjs's own serialisation, of the very object
    expect(conn.sent[1]!.msgs).toEqual(['y'.repeat(500)]);
    expect(opened(conn.sent[2]!.msgs[0]).body.toString()).toBe('z');
    conn.answer();
    expect(tracing.spansNamed('send legacy')).toHaveLength(1);
  });

  it('an envelope switch that throws means raw', () => {
    const { proxy, conn } = wrapped({ envelope: () => { throw new Error('boom'); } });
    proxy.publish('orders', 'raw');
    expect(conn.sent[0]!.msgs).toEqual(['raw']);
  });

  it('spans: false propagates the active context without making spans', () => {
    const { proxy, conn } = wrapped({ spans: false });
    const parent = tracing.provider.getTracer('t').startSpan('job');
    context.with(trace.setSpan(ROOT_CONTEXT, parent), () => proxy.publish('orders', ['a', 'b']));
    conn.answer();
    const traceparents = conn.sent[0]!.msgs.map((message) => opened(message).headers.traceparent);
    expect(traceparents).toEqual([0, 1].map(() => `00-${parent.spanContext().traceId}-${parent.spanContext().spanId}-01`));
    expect(tracing.spans()).toHaveLength(0);
  });

  it('b3 multi: the envelope carries the B3 headers', () => {
    const { proxy, conn } = wrapped({ propagator: 'b3multi' });
    proxy.publish('orders', 'b3');
    const { headers } = opened(conn.sent[0]!.msgs[0]);
    expect(Object.keys(headers).sort()).toEqual(['x-b3-sampled', 'x-b3-spanid', 'x-b3-traceid']);
  });

  it('publishHook sees every message with the span it carries; a throwing hook changes nothing', () => {
    const seen: unknown[] = [];
    const { proxy, conn } = wrapped({
      publishHook: (span, info) => {
        seen.push([info.operation, info.payload, info.deferMs]);
        span.setAttribute('app.kind', 'order');
        throw new Error('hook bug');
      },
    });
    proxy.publish('orders', ['a', 'b']);
    proxy.deferPublish('orders', ['c'], 10);
    conn.answer();
    conn.answer();
    expect(seen).toEqual([
      ['create', 'a', undefined],
      ['create', 'b', undefined],
      ['send', 'c', 10],
    ]);
    // Every span a message carries got the hook's attribute; the batch's CLIENT span carries none.
    const carried = tracing.spans().filter((span) => span.kind === SpanKind.PRODUCER);
    expect(carried.map((span) => span.attributes['app.kind'])).toEqual(['order', 'order', 'order']);
    expect(tracing.spans().filter((span) => span.kind === SpanKind.CLIENT).map((span) => span.attributes['app.kind'])).toEqual([undefined]);
  });

  it('rejects invalid options and non-writers at wrap time', () => {
    const { writer } = fakeWriter();
    expect(() => instrumentWriter(writer, { maxMessageSize: 0 })).toThrow(TypeError);
    expect(() => instrumentWriter(writer, { batchSpans: 'each' as 'per-call' })).toThrow(TypeError);
    expect(() => instrumentWriter(writer, { envelope: 'yes' as unknown as boolean })).toThrow(TypeError);
    expect(() => instrumentWriter(writer, { publishHook: 1 as unknown as () => void })).toThrow(TypeError);
    expect(() => instrumentWriter({} as Writer)).toThrow(TypeError);
  });
});

describe('instrumentWriter: the writer itself', () => {
  it('is not modified; the proxy is still a Writer with its events; wrapping twice is a no-op', () => {
    const { writer, proxy } = wrapped();
    expect(Object.prototype.hasOwnProperty.call(writer, 'publish')).toBe(false);
    expect(writer.publish).toBe(Writer.prototype.publish);
    expect(proxy).toBeInstanceOf(Writer);
    const events: string[] = [];
    proxy.on('error', (error) => events.push(error.message));
    writer.emit('error', new Error('socket'));
    expect(events).toEqual(['socket']);
    expect(instrumentWriter(proxy)).toBe(proxy);
  });

  it('a publish before ready is retried by nsqjs on ready, enveloped once', () => {
    const { writer, proxy, conn } = wrapped();
    conn.state = 'CONNECTING';
    Object.assign(writer, { ready: false });
    const calls: unknown[][] = [];
    proxy.publish('orders', 'early', (...args: unknown[]) => calls.push(args));
    expect(conn.sent).toHaveLength(0);
    conn.state = 'READY_SEND';
    Object.assign(writer, { ready: true });
    writer.emit('ready');
    expect(conn.sent).toHaveLength(1);
    expect(opened(conn.sent[0]!.msgs[0]).body.toString()).toBe('early');
    conn.answer();
    expect(calls).toEqual([[null]]);
    expect(tracing.spans()).toHaveLength(1);
  });

  it('names its tracer after the package, at the package version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
    expect(INSTRUMENTATION_SCOPE).toEqual({ name: pkg.name, version: pkg.version });
  });
});
