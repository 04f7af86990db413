// A B3 fleet meets a W3C fleet, through tracehop: a Go service publishes with B3 multi headers,
// a tracehop service that injects W3C but accepts W3C and B3 multi consumes it and republishes,
// and a Go service that reads only W3C consumes that: one trace from end to end, per broker.
import type { SpanContext } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { goPeer } from './support/build-go-peer.js';
import { PEER_BUILD_TIMEOUT_MS } from './support/peer-pairs.js';
import { PeerProcess, stopAllPeers, type PeerCommand } from './support/peer-process.js';
import { SAMPLED, uniqueName } from './support/scenarios.js';
import { asPeerSpan, createRecordingTracing } from './support/tracing.js';
import { tracehopKafka } from './support/tracehop-kafka.js';
import { tracehopNsq } from './support/tracehop-nsq.js';
import { tracehopRabbit } from './support/tracehop-rabbitmq.js';
import type { TracehopSide } from './support/tracehop-side.js';

const brokers = inject('brokers');
const tracing = createRecordingTracing();
const sides: TracehopSide[] = [
  tracehopKafka(brokers.kafkaBrokers),
  tracehopRabbit(brokers.amqpUrl),
  tracehopNsq(brokers.nsqdTcpAddress, brokers.nsqdHttpAddress),
];
let go: PeerCommand;

beforeAll(async () => {
  go = await goPeer();
}, PEER_BUILD_TIMEOUT_MS);
afterAll(async () => {
  await stopAllPeers();
  await Promise.allSettled(sides.map((side) => side.close()));
});

// The migration setting of the issue: write W3C only, read W3C first and B3 multi as well.
const bridge = { propagator: 'tracecontext', extract: 'tracecontext,b3multi', inbound: 'parent', tracerProvider: tracing.provider } as const;

describe.each(sides.map((side) => [side.broker, side] as const))('%s', (_broker, side) => {
  it('Go b3multi producer → tracehop (tracecontext, extract tracecontext,b3multi) republishing → Go W3C-only consumer: one trace', async () => {
    const inbox = uniqueName('fleet-b3');
    const outbox = uniqueName('fleet-w3c');
    await Promise.all([side.prepare(inbox), side.prepare(outbox)]);
    const w3cConsumer = PeerProcess.start(go, [
      'consume', '-broker', side.broker, '-format', 'tracecontext', '-destination', outbox, '-count', String(SAMPLED.length), '-timeout', '40s', ...side.peerFlags,
    ]);
    await w3cConsumer.ready();
    const republished = new Map<string, SpanContext>();
    const consuming = await side.consume(inbox, bridge, SAMPLED.length, async (received) => {
      republished.set(received.body, await side.publish(outbox, received.body, bridge));
    });

    const produced = await PeerProcess.run(go, [
      'produce', '-broker', side.broker, '-format', 'b3multi', '-destination', inbox, '-sampled', SAMPLED.join(','), ...side.peerFlags,
    ]);
    const received = await consuming.received();
    const consumed = await w3cConsumer.consumed(SAMPLED.length);

    for (const [index, origin] of produced.entries()) {
      const hop = received.find((r) => r.body === origin.body);
      const out = republished.get(origin.body);
      const end = consumed.find((m) => m.body === origin.body);
      // What the B3 fleet wrote, and what the W3C fleet read: W3C only, nothing of B3 left.
      expect(origin.headers.map(([name]) => name).sort()).toEqual(['x-b3-sampled', 'x-b3-spanid', 'x-b3-traceid']);
      expect(end?.headers.map(([name]) => name)).toEqual(['traceparent']);
      // Go producer span → tracehop process span → tracehop producer span → Go consumer.
      expect(hop?.parent && asPeerSpan(hop.parent)).toEqual({ ...origin.span, remote: true });
      expect(out && { traceId: out.traceId, sampled: (out.traceFlags & 1) === 1 }).toEqual({ traceId: origin.span.traceId, sampled: SAMPLED[index] });
      expect(end?.extracted).toEqual(out && asPeerSpan(out, true));
      expect(end?.span.traceId).toBe(origin.span.traceId);
    }
    // The republishing span is a child of the process span, in the same trace.
    const sends = tracing.spansNamed(`send ${outbox}`);
    expect(sends.map((span) => span.parentSpanContext?.spanId).sort()).toEqual(received.map((r) => r.span?.spanId).sort());
  });
});
