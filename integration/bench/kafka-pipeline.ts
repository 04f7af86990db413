import { randomUUID } from 'node:crypto';
import type { Span } from '@opentelemetry/api';
import { createRequire } from 'node:module';
import { instrumentConsumer, instrumentProducer } from '@tracehop/kafkajs';
import type * as Instrumentation from '@opentelemetry/instrumentation';
import type * as KafkaJsInstrumentationModule from '@opentelemetry/instrumentation-kafkajs';
import type * as KafkaJs from 'kafkajs';
import { FIXED_TRACEPARENT, endSends, processKafkaMessage, startSend } from './handrolled.js';
import { registerTracehopInstrumentation } from './instrumentation-variant.js';
import { Countdown, payload, type Pipeline, type PipelineOptions } from './pipeline.js';
import { setupOf } from './variants.js';

const require = createRequire(import.meta.url);
const BATCH = 250;

export async function kafkaPipeline({ variant, size, endpoints }: PipelineOptions): Promise<Pipeline> {
  if (setupOf(variant).official) {
    // Enabled the way its README says, before kafkajs is loaded.
    const { registerInstrumentations } = require('@opentelemetry/instrumentation') as typeof Instrumentation;
    const { KafkaJsInstrumentation } = require('@opentelemetry/instrumentation-kafkajs') as typeof KafkaJsInstrumentationModule;
    registerInstrumentations({ instrumentations: [new KafkaJsInstrumentation()] });
  }
  if (setupOf(variant).instrumentation) registerTracehopInstrumentation('kafka');
  const { Kafka, logLevel } = require('kafkajs') as typeof KafkaJs;
  const kafka = new Kafka({ clientId: 'bench', brokers: endpoints.kafkaBrokers, logLevel: logLevel.NOTHING });
  const topic = `bench-${randomUUID()}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();

  const { tracehop, spans, handrolled, rawHeader } = setupOf(variant);
  const groupId = `bench-${randomUUID()}`;
  const options = { spans };
  let producer = kafka.producer();
  let consumer = kafka.consumer({ groupId, maxBytesPerPartition: 4 << 20 });
  if (tracehop) {
    producer = instrumentProducer(producer, options);
    consumer = instrumentConsumer(consumer, options);
  }
  const countdown = new Countdown();
  await Promise.all([producer.connect(), consumer.connect()]);
  await consumer.subscribe({ topic, fromBeginning: true });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  const handler = async () => {
    countdown.consumed();
  };
  await consumer.run({
    eachMessage: handrolled
      ? (payload) => processKafkaMessage(groupId, payload, handler)
      : handler,
  });
  await joined;

  let sent = 0;
  return {
    async run(count) {
      const done = countdown.expect(count);
      for (let offset = 0; offset < count; offset += BATCH) {
        const messages = [];
        const sends: Span[] = [];
        for (let i = 0; i < Math.min(BATCH, count - offset); i++) {
          const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
          if (rawHeader) headers.traceparent = FIXED_TRACEPARENT;
          if (handrolled) sends.push(startSend(topic, 'kafka', headers));
          messages.push({ value: payload(size, sent++), headers });
        }
        try {
          await producer.send({ topic, messages });
        } finally {
          endSends(sends);
        }
      }
      await done;
    },
    async close() {
      await Promise.all([producer.disconnect(), consumer.disconnect()]);
    },
  };
}
