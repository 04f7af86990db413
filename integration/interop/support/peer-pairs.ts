import type { TracehopOptions } from '@tracehop/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PeerSpan } from './peer-events.js';
import { PeerProcess, stopAllPeers, type PeerCommand } from './peer-process.js';
import { BAGGAGE, baggageFlags, FORMATS, SAMPLED, uniqueName, type Format } from './scenarios.js';
import { asPeerSpan, createRecordingTracing } from './tracing.js';
import type { TracehopSide } from './tracehop-side.js';

/** A first build fetches Go modules or Maven artifacts: minutes, not seconds. */
export const PEER_BUILD_TIMEOUT_MS = 20 * 60_000;

export interface PeerPairs {
  /** "Go" or "Java", for test names. */
  readonly peerName: string;
  readonly buildPeer: () => Promise<PeerCommand>;
  readonly createSide: () => TracehopSide;
  /** tracehop's options for a format when it talks to this peer. Default: `propagator` only. */
  readonly tracehopOptions?: (format: Format) => TracehopOptions;
  /** The header names the peer must find in tracehop's messages, sorted. */
  readonly headerNames: (format: Format) => string[];
}

/** The W3C / B3 header names tracehop writes by default (lowercase), plus `baggage`. */
export function defaultHeaderNames(format: Format): string[] {
  if (format.name === 'tracecontext') return ['baggage', 'traceparent'];
  if (format.name === 'b3') return ['b3', 'baggage'];
  return ['baggage', 'x-b3-sampled', 'x-b3-spanid', 'x-b3-traceid'];
}

/**
 * The flags a producer span's context keeps on its way through a format: W3C carries the whole
 * byte (Java sets the random trace id bit, 0x02), B3 only a sampling state.
 */
function flagsThrough(format: Format, span: PeerSpan): string {
  if (format.name === 'tracecontext') return span.flags;
  return span.sampled ? '01' : '00';
}

const byBody = <T extends { body: string }>(items: readonly T[]): T[] => [...items].sort((a, b) => a.body.localeCompare(b.body));

/**
 * Defines, for each format (tracecontext, b3, b3multi, each with W3C baggage), the two
 * directions between tracehop and a peer over one broker: one message sampled and one not.
 */
export function definePeerPairs(pairs: PeerPairs): void {
  const tracing = createRecordingTracing();
  let peer: PeerCommand;
  let side: TracehopSide | undefined;

  beforeAll(async () => {
    side = pairs.createSide();
    peer = await pairs.buildPeer();
  }, PEER_BUILD_TIMEOUT_MS);
  afterAll(async () => {
    await stopAllPeers();
    await side?.close();
  });

  const args = (command: string, format: Format, destination: string, extra: string[]) => [
    command,
    '-broker',
    side!.broker,
    '-format',
    format.propagators,
    '-destination',
    destination,
    ...side!.peerFlags,
    ...extra,
  ];

  for (const format of FORMATS) {
    describe(format.name, () => {
      const options = (): TracehopOptions => ({
        propagator: format.propagators,
        tracerProvider: tracing.provider,
        ...pairs.tracehopOptions?.(format),
      });

      it(`tracehop producer → ${pairs.peerName} consumer: the peer extracts the producer span, its sampled flag and the baggage exactly`, async () => {
        const destination = uniqueName(`${format.name}-to-${peer.peer}`);
        await side!.prepare(destination);
        const consumer = PeerProcess.start(peer, args('consume', format, destination, ['-count', String(SAMPLED.length), '-timeout', '40s']));
        await consumer.ready();
        const sent = [];
        for (const [index, sampled] of SAMPLED.entries()) {
          const body = `tracehop-${index}`;
          const span = await tracing.inRootSpan('app', sampled, BAGGAGE, () => side!.publish(destination, body, options()));
          sent.push({ body, span });
        }
        const consumed = byBody(await consumer.consumed(SAMPLED.length));

        expect(sent.map(({ span }) => (span.traceFlags & 1) === 1)).toEqual(SAMPLED);
        expect(
          consumed.map((m) => ({ body: m.body, extracted: m.extracted, baggage: m.baggage, headerNames: m.headers.map(([name]) => name).sort() })),
        ).toEqual(
          sent.map(({ body, span }) => ({ body, extracted: asPeerSpan(span, true), baggage: BAGGAGE, headerNames: pairs.headerNames(format) })),
        );
        // The peer's own consumer span continues the same trace, with the same decision.
        expect(consumed.map((m) => [m.span.traceId, m.span.sampled])).toEqual(sent.map(({ span }) => [span.traceId, (span.traceFlags & 1) === 1]));
      });

      it(`${pairs.peerName} producer → tracehop consumer: the process span is the child of the peer's producer span and the baggage arrives`, async () => {
        const destination = uniqueName(`${format.name}-from-${peer.peer}`);
        await side!.prepare(destination);
        const consuming = await side!.consume(destination, { ...options(), inbound: 'parent' }, SAMPLED.length);
        const produced = byBody(
          await PeerProcess.run(peer, args('produce', format, destination, ['-sampled', SAMPLED.join(','), ...baggageFlags()])),
        );
        const received = byBody(await consuming.received());

        expect(produced.map((m) => m.span.sampled)).toEqual(SAMPLED);
        expect(received.map((r) => ({ body: r.body, parent: r.parent && asPeerSpan(r.parent), baggage: r.baggage }))).toEqual(
          produced.map((m) => ({ body: m.body, parent: { ...m.span, flags: flagsThrough(format, m.span), remote: true }, baggage: BAGGAGE })),
        );
        expect(received.map((r) => r.span && [r.span.traceId, (r.span.traceFlags & 1) === 1])).toEqual(
          produced.map((m) => [m.span.traceId, m.span.sampled]),
        );
      });
    });
  }
}
