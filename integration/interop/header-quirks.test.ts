// Where the reference implementations disagree about Kafka headers, and what tracehop does:
// the same raw records, read by a Go consumer (kotel's carrier), a Java consumer
// (KafkaTelemetry) and a tracehop consumer (@tracehop/kafkajs). docs/interop.md explains each.
import { Kafka, logLevel, type IHeaders } from 'kafkajs';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { goPeer } from './support/build-go-peer.js';
import { javaPeer } from './support/build-java-peer.js';
import { PEER_BUILD_TIMEOUT_MS } from './support/peer-pairs.js';
import { PeerProcess, stopAllPeers, type PeerCommand } from './support/peer-process.js';
import { uniqueName } from './support/scenarios.js';
import { asPeerSpan, createRecordingTracing } from './support/tracing.js';
import { tracehopKafka } from './support/tracehop-kafka.js';

const { kafkaBrokers } = inject('brokers');
const tracing = createRecordingTracing();
const side = tracehopKafka(kafkaBrokers);
const producer = new Kafka({ clientId: 'interop-quirks', brokers: kafkaBrokers, logLevel: logLevel.NOTHING }).producer();
let go: PeerCommand;
let java: PeerCommand;

beforeAll(async () => {
  [go, java] = await Promise.all([goPeer(), javaPeer(), producer.connect()]);
}, PEER_BUILD_TIMEOUT_MS);
afterAll(async () => {
  await stopAllPeers();
  await Promise.allSettled([side.close(), producer.disconnect()]);
});

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const A = '00f067aa0ba902b7';
const B = 'b7ad6b7169203331';
const parent = (spanId: string) => ({ traceId: TRACE, spanId, sampled: true, flags: '01', remote: true });

/** Sends raw records (no tracehop on this side), then reads them with all three consumers. */
async function readByAll(format: string, records: ReadonlyArray<{ body: string; headers: IHeaders }>) {
  const topic = uniqueName('quirks');
  await side.prepare(topic);
  await producer.send({ topic, messages: records.map(({ body, headers }) => ({ value: body, headers })) });
  const flags = ['-broker', 'kafka', '-format', format, '-destination', topic, '-count', String(records.length), '-timeout', '40s', ...side.peerFlags];
  const goConsumer = PeerProcess.start(go, ['consume', ...flags]);
  const javaConsumer = PeerProcess.start(java, ['consume', ...flags]);
  const tracehop = await side.consume(topic, { propagator: format, tracerProvider: tracing.provider }, records.length);
  const [goRead, javaRead, tracehopRead] = await Promise.all([goConsumer.consumed(records.length), javaConsumer.consumed(records.length), tracehop.received()]);
  return records.map(({ body }) => ({
    go: goRead.find((m) => m.body === body)?.extracted,
    java: javaRead.find((m) => m.body === body)?.extracted,
    tracehop: (({ parent: p }) => p && asPeerSpan(p))(tracehopRead.find((r) => r.body === body) ?? { parent: undefined }),
  }));
}

it('header name case: Go and Java match `traceparent` exactly, tracehop reads any case', async () => {
  const read = await readByAll('tracecontext', [
    { body: 'lower', headers: { traceparent: `00-${TRACE}-${A}-01` } },
    { body: 'mixed', headers: { TraceParent: `00-${TRACE}-${A}-01` } },
  ]);
  expect(read).toEqual([
    { go: parent(A), java: parent(A), tracehop: parent(A) },
    { go: undefined, java: undefined, tracehop: parent(A) },
  ]);
});

it('a repeated traceparent: Go takes the first, Java the last, tracehop collapses identical values and rejects conflicting ones', async () => {
  const read = await readByAll('tracecontext', [
    { body: 'identical', headers: { traceparent: [`00-${TRACE}-${A}-01`, `00-${TRACE}-${A}-01`] } },
    { body: 'conflicting', headers: { traceparent: [`00-${TRACE}-${A}-01`, `00-${TRACE}-${B}-01`] } },
  ]);
  expect(read).toEqual([
    { go: parent(A), java: parent(A), tracehop: parent(A) },
    { go: parent(A), java: parent(B), tracehop: undefined },
  ]);
});

it('B3 multi header names: Go reads only x-b3-*, Java only X-B3-*, tracehop both', async () => {
  const read = await readByAll('b3multi', [
    { body: 'lowercase', headers: { 'x-b3-traceid': TRACE, 'x-b3-spanid': A, 'x-b3-sampled': '1' } },
    { body: 'canonical', headers: { 'X-B3-TraceId': TRACE, 'X-B3-SpanId': B, 'X-B3-Sampled': '1' } },
  ]);
  expect(read).toEqual([
    { go: parent(A), java: undefined, tracehop: parent(A) },
    { go: undefined, java: parent(B), tracehop: parent(B) },
  ]);
});
