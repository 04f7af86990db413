// The demo pipeline, run as the README's first command runs it, so that it cannot rot:
// four processes, three brokers, one trace.
import { describe, expect, inject, it } from 'vitest';
import { attribute } from './collector.js';
import { flattenMetrics } from './metrics-table.js';
import { runDemo } from './pipeline.js';
import { HOPS, verifyTrace } from './verify.js';

const brokers = inject('brokers');
const env = {
  KAFKA_BROKERS: brokers.kafkaBrokers.join(','),
  AMQP_URL: brokers.amqpUrl,
  NSQD_TCP_ADDRESS: brokers.nsqdTcpAddress,
  NSQD_HTTP_ADDRESS: brokers.nsqdHttpAddress,
};

describe('the demo pipeline (checkout → Kafka → billing → RabbitMQ → shipping → NSQ → notifier)', () => {
  it('keeps one trace across the three brokers in W3C trace context', { timeout: 120_000 }, async () => {
    const { spans, hops, otlp, metrics } = await runDemo({ env: { ...env, OTEL_PROPAGATORS: 'tracecontext,baggage' } });
    expect(verifyTrace(spans)).toEqual([]);
    expect(new Set(spans.map((span) => span.traceId)).size).toBe(1);
    expect(hops.map((hop) => hop.broker)).toEqual(HOPS.map((hop) => hop.broker));
    for (const hop of hops) {
      expect(hop.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      expect(hop.headers.traceparent).toContain(spans[0]!.traceId);
      expect(hop.headers.baggage).toContain('customer.tier=gold');
    }
    expect(otlp.resourceSpans.flatMap((batch) => batch.scopeSpans.flatMap((scope) => scope.spans))).toHaveLength(spans.length);
    const send = spans.find((span) => span.name === 'send orders')!;
    expect(attribute(send, 'messaging.system')).toBe('kafka');

    // One order crossed three brokers: each hop sent one message and processed one, and the
    // metrics say so, next to the trace (OTLP JSON, as the demo writes them).
    const points = flattenMetrics(metrics);
    const one = (name: string, service: string, system: string, operation: string, destination: string) => {
      const matching = points.filter(
        (point) =>
          point.name === name &&
          point.service === service &&
          point.attributes['messaging.system'] === system &&
          point.attributes['messaging.operation.name'] === operation &&
          point.attributes['messaging.destination.name'] === destination,
      );
      expect(matching, `${name} ${service} ${operation} ${destination}`).toHaveLength(1);
      return matching[0]!;
    };
    const hopsMetrics = [
      ['checkout', 'billing', 'kafka', 'orders'],
      ['billing', 'shipping', 'rabbitmq', 'invoices'],
      ['shipping', 'notifier', 'nsq', 'shipments'],
    ] as const;
    for (const [producer, consumer, system, destination] of hopsMetrics) {
      expect(one('messaging.client.sent.messages', producer, system, 'send', destination).count).toBe(1);
      const sent = one('messaging.client.operation.duration', producer, system, 'send', destination);
      expect(sent).toMatchObject({ unit: 's', count: 1 });
      expect(sent.sum).toBeGreaterThan(0);
      const process = points.filter((point) => point.name === 'messaging.process.duration' && point.service === consumer);
      expect(process.map((point) => [point.attributes['messaging.system'], point.count, point.unit])).toEqual([[system, 1, 's']]);
      const consumed = points.filter((point) => point.name === 'messaging.client.consumed.messages' && point.service === consumer);
      expect(consumed.map((point) => point.count)).toEqual([1]);
    }
    // Kafka records and NSQ messages carry a timestamp: how long the order waited at each.
    const waits = points.filter((point) => point.name === 'tracehop.messaging.wait.duration');
    expect(waits.map((point) => point.attributes['messaging.system']).sort()).toEqual(['kafka', 'nsq']);
  });

  it('keeps the same tree with B3 multi headers on the wire', { timeout: 120_000 }, async () => {
    const { spans, hops } = await runDemo({ env: { ...env, OTEL_PROPAGATORS: 'b3multi' } });
    expect(verifyTrace(spans)).toEqual([]);
    for (const hop of hops) {
      expect(hop.headers.traceparent).toBeUndefined();
      expect(hop.headers['x-b3-traceid']).toBe(spans[0]!.traceId);
      expect(hop.headers['x-b3-sampled']).toBe('1');
    }
  });

  it('starts a new, linked trace at the hop that uses inbound: link', { timeout: 120_000 }, async () => {
    const { spans } = await runDemo({ env, linkHop: 'shipping' });
    expect(verifyTrace(spans, 'shipping')).toEqual([]);
    expect(new Set(spans.map((span) => span.traceId)).size).toBe(2);
  });
});
