// Run in a child process by kafka-cluster.test.ts: one member of a consumer group (raw, or
// wrapped by tracehop with default options), which the test kills with SIGKILL — a consumer
// that dies without leaving its group. One JSON line per delivery, written before the handler
// returns; it commits no offset, so all it handled comes back to the group after its death: the message id, and for the traced consumer the
// parent and trace of its `process` span, and how many contexts the message carried.
//   node --conditions=tracehop-source --import tsx kafka-consumer-child.ts raw|traced <brokers> <topic> <group>
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { trace } from '@opentelemetry/api';
import { Kafka, logLevel } from 'kafkajs';
import { instrumentConsumer } from '@tracehop/kafkajs';
import { ClusterTracing, contextCount } from './traces.js';

const [variant, brokers, topic, groupId] = process.argv.slice(2) as [string, string, string, string];
if (variant === 'traced') new ClusterTracing();
const kafka = new Kafka({ clientId: `cluster-child-${variant}`, brokers: brokers.split(','), logLevel: logLevel.NOTHING });
const plain = kafka.consumer({ groupId, sessionTimeout: 6_000, heartbeatInterval: 500 });
const consumer = variant === 'raw' ? plain : instrumentConsumer(plain);
consumer.on(consumer.events.GROUP_JOIN, () => process.stdout.write(`${JSON.stringify({ event: 'group_join' })}\n`));
await consumer.connect();
for (let tries = 0; ; tries++) {
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    break;
  } catch (error) {
    // A broker that does not know the new topic yet: asked again (kafkajs does not, on subscribe).
    if ((error as { type?: string }).type !== 'UNKNOWN_TOPIC_OR_PARTITION' || tries >= 40) throw error;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
// No offset commits: everything this member handled is redelivered to the survivors.
await consumer.run({
  autoCommit: false,
  eachMessage: async ({ message }) => {
    const span = trace.getActiveSpan() as unknown as ReadableSpan | undefined;
    const line = { id: String(message.value), parentSpanId: span?.parentSpanContext?.spanId, traceId: span?.spanContext().traceId, contexts: contextCount(message.headers) };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  },
});
