// A soak of an instrumented nsqjs Writer and Reader on the shared nsqd: 20 000 messages in
// the normal suite, 1 000 000 under `pnpm test:soak`. Settlement tracking (a 'respond'
// listener and a timer per message) must leave nothing behind.
import { randomUUID } from 'node:crypto';
import { Reader, Writer } from 'nsqjs';
import { instrumentReader, instrumentWriter } from '@tracehop/nsqjs';
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { SOAK_MESSAGES, listenerCounts, stopTrackingTimers, trackTimers } from './support/leak-probe.js';
import { soak } from './support/soak-driver.js';
import { countingProvider } from './support/span-counter.js';

const { provider, counter } = countingProvider();
beforeAll(trackTimers);
afterAll(stopTrackingTimers);

const BATCH = 100;
const CONCURRENT_BATCHES = 8;

describe('nsqjs adapter soak', () => {
  it(
    `${SOAK_MESSAGES} messages: no open span, no listener or timer left, heap flat within 10 MB`,
    async () => {
      await soak('nsqjs', counter, SOAK_MESSAGES, async () => {
        const { nsqdTcpAddress } = inject('brokers');
        const [host, port] = nsqdTcpAddress.split(':') as [string, string];
        const topic = `reliability-soak-${randomUUID().slice(0, 8)}`;
        const options = { tracerProvider: provider, propagator: 'tracecontext,baggage' } as const;
        const writer = instrumentWriter(new Writer(host, Number(port)), options);
        await new Promise<void>((resolve, reject) => {
          writer.once('ready', resolve);
          writer.once('error', reject);
          writer.connect();
        });
        const publish = (payloads: string[]) => new Promise<void>((resolve, reject) => writer.publish(topic, payloads, (error) => (error ? reject(error) : resolve())));
        await publish(['create the topic']);
        const reader = instrumentReader(new Reader(topic, 'soak', { nsqdTCPAddresses: [nsqdTcpAddress], maxInFlight: 500 }), options);
        let received = -1; // the message that created the topic is not counted
        reader.on('message', (message) => {
          received++;
          message.finish();
        });
        await new Promise<void>((resolve, reject) => {
          reader.once('ready', resolve);
          reader.once('error', reject);
          reader.connect();
        });
        let sent = 0;
        return {
          async produce(count) {
            const end = sent + count;
            const worker = async () => {
              while (sent < end) {
                const size = Math.min(BATCH, end - sent);
                const payloads = Array.from({ length: size }, (_, i) => `m${sent + i}`);
                sent += size;
                await publish(payloads);
              }
            };
            await Promise.all(Array.from({ length: CONCURRENT_BATCHES }, worker));
          },
          received: () => received,
          listeners: () => ({ ...prefix('writer', listenerCounts(writer)), ...prefix('reader', listenerCounts(reader)) }),
          async close() {
            reader.close();
            writer.close();
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
