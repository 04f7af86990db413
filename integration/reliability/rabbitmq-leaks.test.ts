// A soak of an instrumented amqplib connection on the shared RabbitMQ: 20 000 messages in the
// normal suite, 1 000 000 under `pnpm test:soak`, published with backpressure and consumed
// with an ack each. The settlement tracker (a map of pending spans and one safety timer per
// channel) must drain to nothing; listeners on the channels and the connection must not grow.
import { randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import { instrumentConnection } from '@tracehop/amqplib';
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { waitUntil } from './support/ledger.js';
import { SOAK_MESSAGES, listenerCounts, stopTrackingTimers, trackTimers } from './support/leak-probe.js';
import { soak } from './support/soak-driver.js';
import { countingProvider } from './support/span-counter.js';

const { provider, counter } = countingProvider();
beforeAll(trackTimers);
afterAll(stopTrackingTimers);

/** Published messages not yet consumed, at most: keeps the shared broker's queue short. */
const WINDOW = 2_000;

describe('amqplib adapter soak', () => {
  it(
    `${SOAK_MESSAGES} messages: no open span, pending settlements and timers drained, no listener left, heap flat within 10 MB`,
    async () => {
      await soak('amqplib', counter, SOAK_MESSAGES, async () => {
        const connection = instrumentConnection(await connect(inject('brokers').amqpUrl), { tracerProvider: provider, propagator: 'tracecontext,baggage' });
        const publisher = await connection.createChannel();
        const consumer = await connection.createChannel();
        const queue = `reliability-soak-${randomUUID()}`;
        await consumer.assertQueue(queue, { exclusive: true, autoDelete: true });
        await consumer.prefetch(500);
        let received = 0;
        await consumer.consume(queue, (message) => {
          if (message === null) return;
          received++;
          consumer.ack(message);
        });
        let sent = 0;
        return {
          async produce(count) {
            const end = sent + count;
            while (sent < end) {
              if (sent - received >= WINDOW) {
                await waitUntil(() => sent - received < WINDOW / 2, 60_000, 5);
                continue;
              }
              if (!publisher.sendToQueue(queue, Buffer.from(`m${sent++}`))) await new Promise((resolve) => publisher.once('drain', resolve));
            }
          },
          received: () => received,
          listeners: () => ({
            ...prefix('connection', listenerCounts(connection)),
            ...prefix('publisher', listenerCounts(publisher)),
            ...prefix('consumer', listenerCounts(consumer)),
          }),
          async close() {
            await connection.close();
          },
        };
      });
    },
    3_600_000,
  );
});

function prefix(label: string, counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).map(([key, value]) => [`${label}.${key}`, value]));
}
