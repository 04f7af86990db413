// Go (go-nsq + the envelope written from docs/nsq-envelope.md + OpenTelemetry Go propagators)
// ⇄ tracehop (@tracehop/nsqjs) over a real nsqd.
import { inject } from 'vitest';
import { goPeer } from './support/build-go-peer.js';
import { defaultHeaderNames, definePeerPairs } from './support/peer-pairs.js';
import { tracehopNsq } from './support/tracehop-nsq.js';

const { nsqdTcpAddress, nsqdHttpAddress } = inject('brokers');

definePeerPairs({
  peerName: 'Go',
  buildPeer: goPeer,
  createSide: () => tracehopNsq(nsqdTcpAddress, nsqdHttpAddress),
  headerNames: defaultHeaderNames,
});
