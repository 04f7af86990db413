// Java (kafka-clients + OpenTelemetry Java's KafkaTelemetry and SDK propagators) ⇄ tracehop
// (@tracehop/kafkajs) over a real Kafka.
import { inject } from 'vitest';
import { javaPeer } from './support/build-java-peer.js';
import { defaultHeaderNames, definePeerPairs } from './support/peer-pairs.js';
import type { Format } from './support/scenarios.js';
import { tracehopKafka } from './support/tracehop-kafka.js';

const { kafkaBrokers } = inject('brokers');

// OpenTelemetry Java reads Kafka headers with `Headers.lastHeader(name)`, which compares names
// case-sensitively, and its B3 propagator asks for `X-B3-TraceId`: tracehop's lowercase B3
// multi headers are invisible to it. `b3CanonicalCase` writes the names Java expects
// (b3-canonical-case.test.ts proves both sides of this).
const forJava = (format: Format) => (format.name === 'b3multi' ? { b3CanonicalCase: true } : {});

definePeerPairs({
  peerName: 'Java',
  buildPeer: javaPeer,
  createSide: () => tracehopKafka(kafkaBrokers),
  tracehopOptions: forJava,
  headerNames: (format) =>
    format.name === 'b3multi' ? ['X-B3-Sampled', 'X-B3-SpanId', 'X-B3-TraceId', 'baggage'] : defaultHeaderNames(format),
});
