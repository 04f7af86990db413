// Every propagation format through the real nsqd, and a migration set: the wrapped reader
// continues the producer's trace, and a raw reader on another channel of the same topic shows
// what really travels — the envelope, with exactly the format's headers.
import { ROOT_CONTEXT, SpanKind, context, propagation, trace } from '@opentelemetry/api';
import { decodeEnvelope, type NsqReaderOptions, type NsqWriterOptions } from '@tracehop/nsqjs';
import { afterEach, describe, expect, it } from 'vitest';
import { createTracing, nextTick, openReader, openWriter, parentSpanId, publish, traceparentOf, uniqueTopic, type OpenReader } from './support.js';

const tracing = createTracing();
const opened: Array<{ close(): void }> = [];
afterEach(() => {
  for (const client of opened.splice(0)) client.close();
  tracing.reset();
});

interface FormatCase {
  readonly name: string;
  readonly writer: NsqWriterOptions;
  readonly reader: NsqReaderOptions;
  /** The headers the envelope must carry, given the send span's ids. */
  readonly headers: (traceId: string, spanId: string) => Record<string, string | RegExp>;
  readonly baggage: boolean;
}

const cases: FormatCase[] = [
  {
    name: 'W3C tracecontext + baggage',
    writer: { propagator: 'tracecontext,baggage' },
    reader: { propagator: 'tracecontext,baggage' },
    headers: (t, s) => ({ traceparent: `00-${t}-${s}-01`, baggage: 'tenant=acme' }),
    baggage: true,
  },
  {
    name: 'B3 single header',
    writer: { propagator: 'b3' },
    reader: { propagator: 'b3' },
    headers: (t, s) => ({ b3: `${t}-${s}-1` }),
    baggage: false,
  },
  {
    name: 'B3 multi header',
    writer: { propagator: 'b3multi' },
    reader: { propagator: 'b3multi' },
    headers: (t, s) => ({ 'x-b3-traceid': t, 'x-b3-spanid': s, 'x-b3-sampled': '1' }),
    baggage: false,
  },
  {
    name: 'Jaeger (with baggage)',
    writer: { propagator: 'jaeger' },
    reader: { propagator: 'jaeger' },
    headers: (t, s) => ({ 'uber-trace-id': new RegExp(`^${t}:${s}:0:0?1$`), 'uberctx-tenant': 'acme' }),
    baggage: true,
  },
  {
    name: 'migration: a B3 multi writer, a reader that injects tracecontext and accepts tracecontext,b3,b3multi',
    writer: { propagator: 'b3multi' },
    reader: { propagator: 'tracecontext', extract: 'tracecontext,b3,b3multi' },
    headers: (t, s) => ({ 'x-b3-traceid': t, 'x-b3-spanid': s, 'x-b3-sampled': '1' }),
    baggage: false,
  },
];

async function subscribe(topic: string, options: NsqReaderOptions | false, channel: string): Promise<OpenReader> {
  const reader = await openReader(topic, channel, options);
  opened.push(reader);
  return reader;
}

describe('@tracehop/nsqjs formats on the real nsqd', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, format) => {
    const topic = uniqueTopic('formats');
    const traced = await subscribe(topic, { ...format.reader, tracerProvider: tracing.provider }, 'traced');
    const raw = await subscribe(topic, false, 'raw');
    const writer = await openWriter({ ...format.writer, tracerProvider: tracing.provider });
    opened.push(writer);

    const checkout = tracing.provider.getTracer('app').startSpan('checkout');
    const active = propagation.setBaggage(trace.setSpan(ROOT_CONTEXT, checkout), propagation.createBaggage({ tenant: { value: 'acme' } }));
    await context.with(active, () => publish(writer, topic, '{"order":42}'));
    checkout.end();
    const [send] = tracing.spansNamed(`send ${topic}`);
    expect(send!.kind).toBe(SpanKind.PRODUCER);
    expect(parentSpanId(send!)).toBe(checkout.spanContext().spanId);

    // What travels: an envelope with exactly this format's headers around the payload.
    const wire = await raw.next();
    const envelope = decodeEnvelope(wire.body);
    expect(envelope?.body.toString()).toBe('{"order":42}');
    const expected = format.headers(send!.spanContext().traceId, send!.spanContext().spanId);
    expect(Object.keys(envelope!.headers).sort()).toEqual(Object.keys(expected).sort());
    for (const [key, value] of Object.entries(expected)) {
      if (value instanceof RegExp) expect(envelope!.headers[key]).toMatch(value);
      else expect(envelope!.headers[key]).toBe(value);
    }
    wire.message.finish();

    // What the wrapped reader makes of it: the payload, in the producer's trace.
    const delivery = await traced.next();
    expect(delivery.body.toString()).toBe('{"order":42}');
    expect(delivery.message.json()).toEqual({ order: 42 });
    expect(delivery.baggage).toEqual(format.baggage ? { tenant: 'acme' } : {});
    delivery.message.finish();
    await nextTick();
    const [processed] = await tracing.waitForSpans(`process ${topic}`, 1);
    expect(processed!.kind).toBe(SpanKind.CONSUMER);
    expect(processed!.spanContext().traceId).toBe(send!.spanContext().traceId);
    expect(parentSpanId(processed!)).toBe(send!.spanContext().spanId);
    expect(delivery.active?.spanId).toBe(processed!.spanContext().spanId);
    expect(processed!.attributes).toEqual({
      'messaging.system': 'nsq',
      'messaging.destination.name': topic,
      'messaging.consumer.group.name': 'traced',
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.message.id': delivery.message.id,
      'messaging.nsq.message.attempts': 1,
    });
    if (format.writer.propagator === 'tracecontext,baggage') expect(envelope!.headers.traceparent).toBe(traceparentOf(send!));
  });
});
