// Go (franz-go + OpenTelemetry Go propagators) ⇄ tracehop (@tracehop/kafkajs) over a real Kafka.
import { inject } from 'vitest';
import { goPeer } from './support/build-go-peer.js';
import { defaultHeaderNames, definePeerPairs } from './support/peer-pairs.js';
import { tracehopKafka } from './support/tracehop-kafka.js';

const { kafkaBrokers } = inject('brokers');

definePeerPairs({
  peerName: 'Go',
  buildPeer: goPeer,
  createSide: () => tracehopKafka(kafkaBrokers),
  headerNames: defaultHeaderNames,
});
