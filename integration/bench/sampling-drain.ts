// One drain run of the sampling benchmark, in a process of its own: a backlog of messages
// (each its own trace, enveloped with its context) is published to nsqd first; then a traced
// reader drains it, with full tracing or with backlog sampling; prints what it measured as JSON.
//   node --import tsx integration/bench/sampling-drain.ts '{"broker":"kafka","mode":"full","messages":6000,…}'
import { randomBytes, randomUUID } from 'node:crypto';
import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { injectKafkaHeaders, instrumentConsumer } from '@tracehop/kafkajs';
import { injectNsqEnvelope, instrumentReader } from '@tracehop/nsqjs';
import { Kafka, logLevel } from 'kafkajs';
import { Reader, Writer } from 'nsqjs';
import { installSdk } from './telemetry.js';

interface DrainRequest {
  readonly broker?: 'nsq' | 'kafka';
  readonly mode: 'full' | 'sampled';
  readonly messages: number;
  readonly capacity: number;
  readonly nsqdTcpAddress: string;
  readonly kafkaBrokers?: string[];
}

const request = JSON.parse(process.argv[2] ?? '{}') as DrainRequest;
const [host, port] = request.nsqdTcpAddress.split(':') as [string, string];
const { exporter, provider } = installSdk();
const topic = `bench-drain-${randomUUID()}`.slice(0, 60);

const result = request.broker === 'kafka' ? await drainKafka() : await drainNsq();
await provider.forceFlush();
console.log(JSON.stringify({ mode: request.mode, ...result, spans: exporter.exported }));
process.exit(0);

/** Random ids, as an SDK makes them: the decision reads the trace id's random bits. */
function producerContext() {
  return trace.setSpanContext(ROOT_CONTEXT, { traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'), traceFlags: TraceFlags.SAMPLED });
}

function measured(received: number, started: bigint, cpuAtStart: NodeJS.CpuUsage | undefined) {
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuAtStart);
  return { messages: received, seconds, perSecond: received / seconds, cpuMicrosPerMessage: (cpu.user + cpu.system) / received };
}

async function drainNsq() {
// The backlog: published before the reader subscribes (nsqd keeps it in the topic).
const writer = new Writer(host, Number(port));
await new Promise<void>((resolve, reject) => {
  writer.once('ready', () => resolve());
  writer.once('error', reject);
  writer.connect();
});
const bodies: Buffer[] = [];
for (let i = 0; i < request.messages; i++) {
  const producer = producerContext();
  bodies.push(injectNsqEnvelope(Buffer.alloc(256, i % 251), producer, { propagator: 'tracecontext,baggage' }));
}
for (let i = 0; i < bodies.length; i += 200) {
  await new Promise<void>((resolve, reject) => writer.publish(topic, bodies.slice(i, i + 200), (error) => (error ? reject(error) : resolve())));
}
writer.close();

const reader = instrumentReader(new Reader(topic, 'drain', { nsqdTCPAddresses: [request.nsqdTcpAddress], maxInFlight: 200 }), {
  propagator: 'tracecontext,baggage',
  ...(request.mode === 'sampled' ? { sampling: { backlog: { capacity: request.capacity, pollIntervalMs: 100 } } } : {}),
});
let received = 0;
let started = 0n;
let cpuAtStart: NodeJS.CpuUsage | undefined;
const done = new Promise<void>((resolve) => {
  reader.on('message', (message) => {
    if (received++ === 0) {
      started = process.hrtime.bigint();
      cpuAtStart = process.cpuUsage();
    }
    message.finish();
    if (received === request.messages) resolve();
  });
});
reader.connect();
await done;
const result = measured(received, started, cpuAtStart);
reader.close();
return result;
}

async function drainKafka() {
  const kafka = new Kafka({ clientId: 'bench-drain', brokers: request.kafkaBrokers ?? ['127.0.0.1:9092'], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  // The backlog: produced before the consumer starts, each message with its own context.
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < request.messages; i += 500) {
    const messages = Array.from({ length: Math.min(500, request.messages - i) }, (_, j) => ({
      value: Buffer.alloc(256, (i + j) % 251),
      headers: injectKafkaHeaders(undefined, producerContext(), { propagator: 'tracecontext,baggage' }),
    }));
    await producer.send({ topic, messages });
  }
  await producer.disconnect();
  const consumer = instrumentConsumer(kafka.consumer({ groupId: `bench-drain-${randomUUID()}` }), {
    propagator: 'tracecontext,baggage',
    ...(request.mode === 'sampled' ? { sampling: { backlog: { capacity: request.capacity } } } : {}),
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let received = 0;
  let started = 0n;
  let cpuAtStart: NodeJS.CpuUsage | undefined;
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async () => {
        if (received++ === 0) {
          started = process.hrtime.bigint();
          cpuAtStart = process.cpuUsage();
        }
        if (received === request.messages) resolve();
      },
    });
  });
  await done;
  const result = measured(received, started, cpuAtStart);
  await consumer.disconnect();
  return result;
}
