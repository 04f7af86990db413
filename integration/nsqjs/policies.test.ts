// The consumer's trust policies on the real nsqd: the producer's span as parent, as a link on
// a new trace, or ignored; inbound baggage kept, dropped or allow-listed.
import { ROOT_CONTEXT, context, propagation, trace } from '@opentelemetry/api';
import type { NsqReaderOptions } from '@tracehop/nsqjs';
import { afterEach, describe, expect, it } from 'vitest';
import { createTracing, nextTick, openReader, openWriter, parentSpanId, publish, uniqueTopic } from './support.js';

const tracing = createTracing();
const opened: Array<{ close(): void }> = [];
afterEach(() => {
  for (const client of opened.splice(0)) client.close();
  tracing.reset();
});

async function roundTrip(readerOptions: NsqReaderOptions) {
  const topic = uniqueTopic('policy');
  const reader = await openReader(topic, 'c', { propagator: 'tracecontext,baggage', tracerProvider: tracing.provider, ...readerOptions });
  const writer = await openWriter({ propagator: 'tracecontext,baggage', tracerProvider: tracing.provider });
  opened.push(reader, writer);
  const app = tracing.provider.getTracer('app').startSpan('request');
  const baggage = propagation.createBaggage({ tenant: { value: 'acme' }, secret: { value: 's3cr3t' } });
  await context.with(propagation.setBaggage(trace.setSpan(ROOT_CONTEXT, app), baggage), () => publish(writer, topic, 'p'));
  app.end();
  const delivery = await reader.next();
  delivery.message.finish();
  await nextTick();
  const [send] = tracing.spansNamed(`send ${topic}`);
  const [processed] = await tracing.waitForSpans(`process ${topic}`, 1);
  return { send: send!, processed: processed!, delivery };
}

describe('inbound policy on the real nsqd', () => {
  it("'parent' (default): one trace, the send span is the parent", async () => {
    const { send, processed, delivery } = await roundTrip({});
    expect(processed.spanContext().traceId).toBe(send.spanContext().traceId);
    expect(parentSpanId(processed)).toBe(send.spanContext().spanId);
    expect(processed.links).toEqual([]);
    expect(delivery.baggage).toEqual({ tenant: 'acme', secret: 's3cr3t' });
  });

  it("'link': a new trace whose process span links to the send span", async () => {
    const { send, processed } = await roundTrip({ inbound: 'link' });
    expect(processed.spanContext().traceId).not.toBe(send.spanContext().traceId);
    expect(parentSpanId(processed)).toBeUndefined();
    expect(processed.links.map((link) => [link.context.traceId, link.context.spanId])).toEqual([
      [send.spanContext().traceId, send.spanContext().spanId],
    ]);
  });

  it("'ignore': a new root with no link", async () => {
    const { send, processed } = await roundTrip({ inbound: 'ignore' });
    expect(processed.spanContext().traceId).not.toBe(send.spanContext().traceId);
    expect(parentSpanId(processed)).toBeUndefined();
    expect(processed.links).toEqual([]);
  });
});

describe('baggage policy on the real nsqd', () => {
  it("'drop': no inbound baggage reaches the listener", async () => {
    const { delivery, processed, send } = await roundTrip({ baggage: 'drop' });
    expect(delivery.baggage).toEqual({});
    expect(parentSpanId(processed)).toBe(send.spanContext().spanId);
  });

  it('an allow-list keeps only the listed keys', async () => {
    const { delivery } = await roundTrip({ baggage: ['tenant'] });
    expect(delivery.baggage).toEqual({ tenant: 'acme' });
  });
});
