// A soak of an instrumented kafkajs producer and consumer on the shared Kafka: 20 000
// messages in the normal suite, 1 000 000 under `pnpm test:soak`, sent in batches (a `create`
// span per message and a `send` span per call) and handled by `eachMessage` (a `process` span
// each). Nothing may be left behind: spans, listeners, timers, heap.
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { instrumentConsumer, instrumentProducer } from '@tracehop/kafkajs';
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { SOAK_MESSAGES, stopTrackingTimers, trackTimers } from './support/leak-probe.js';
import { soak } from './support/soak-driver.js';
import { countingProvider } from './support/span-counter.js';

const { provider, counter } = countingProvider();
beforeAll(trackTimers);
afterAll(stopTrackingTimers);

const BATCH = 500;
const CONCURRENT_SENDS = 4;
/** kafkajs's own timers in flight at any moment: a fetch's long poll, request timeouts, the heartbeat. */
const KAFKAJS_TIMER_SLACK = 8;

describe('kafkajs adapter soak', () => {
  it(
    `${SOAK_MESSAGES} messages: no open span, no listener or timer left, heap flat within 10 MB`,
    async () => {
      await soak(
        'kafkajs',
        counter,
        SOAK_MESSAGES,
        async () => {
          const kafka = new Kafka({ clientId: 'reliability-soak', brokers: inject('brokers').kafkaBrokers, logLevel: logLevel.NOTHING });
          const topic = `reliability-soak-${randomUUID()}`;
          const admin = kafka.admin();
          await admin.connect();
          await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
          await admin.disconnect();
          const options = { tracerProvider: provider, propagator: 'tracecontext,baggage' } as const;
          const producer = instrumentProducer(kafka.producer(), options);
          const consumer = instrumentConsumer(kafka.consumer({ groupId: `reliability-soak-${randomUUID()}` }), options);
          await Promise.all([producer.connect(), consumer.connect()]);
          await consumer.subscribe({ topics: [topic], fromBeginning: true });
          let received = 0;
          await consumer.run({
            eachMessage: async () => {
              received++;
            },
          });
          let sent = 0;
          return {
            async produce(count) {
              const end = sent + count;
              const worker = async () => {
                while (sent < end) {
                  const size = Math.min(BATCH, end - sent);
                  const messages = Array.from({ length: size }, (_, i) => ({ value: `m${sent + i}` }));
                  sent += size;
                  await producer.send({ topic, messages });
                }
              };
              await Promise.all(Array.from({ length: CONCURRENT_SENDS }, worker));
            },
            received: () => received,
            // kafkajs exposes no listener counts; its events are checked by the fault tests.
            listeners: () => ({}),
            async close() {
              await Promise.all([producer.disconnect(), consumer.disconnect()]);
            },
          };
        },
        KAFKAJS_TIMER_SLACK,
      );
    },
    3_600_000,
  );
});
