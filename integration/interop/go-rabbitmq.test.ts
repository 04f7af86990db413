// Go (amqp091-go + OpenTelemetry Go propagators) ⇄ tracehop (@tracehop/amqplib) over a real RabbitMQ.
import { inject } from 'vitest';
import { goPeer } from './support/build-go-peer.js';
import { defaultHeaderNames, definePeerPairs } from './support/peer-pairs.js';
import { tracehopRabbit } from './support/tracehop-rabbitmq.js';

const { amqpUrl } = inject('brokers');

definePeerPairs({
  peerName: 'Go',
  buildPeer: goPeer,
  createSide: () => tracehopRabbit(amqpUrl),
  headerNames: defaultHeaderNames,
});
