// Run in a child process by nsqd-throwing-listener.test.ts: reads one message from a topic
// with an nsqjs Reader (raw, or wrapped by tracehop), prints what it got as one JSON line,
// then either throws from the listener (what an application bug does) or finishes it.
//   node --conditions=tracehop-source --import tsx nsq-listener-child.ts raw|traced throw|finish <nsqd> <topic>
import { Reader } from 'nsqjs';
import { instrumentReader } from '@tracehop/nsqjs';

const [variant, mode, address, topic] = process.argv.slice(2) as [string, string, string, string];
// nsqd holds a dead client's in-flight message until its timeout: 1 s (nsqd's minimum) here.
const plain = new Reader(topic, 'throwing', { nsqdTCPAddresses: [address], maxInFlight: 1, messageTimeout: 1_000 });
const reader = variant === 'raw' ? plain : instrumentReader(plain, { propagator: 'tracecontext' });
reader.on('message', (message) => {
  process.stdout.write(`${JSON.stringify({ body: message.body.toString(), attempts: message.attempts })}\n`);
  if (mode === 'throw') throw new Error('listener failed');
  message.finish();
  setTimeout(() => {
    reader.close();
    process.exit(0);
  }, 100);
});
reader.connect();
