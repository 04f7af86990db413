// nsqd restarted (and, under test:soak, crashed) under load: nsqjs writers (reconnected by
// the application, as nsqjs leaves that to it) and readers (which reconnect on their own),
// raw as the control and traced, through the very same fault. The traced side must get the
// same errors and events, lose nothing the raw side keeps, and leave no span open.
import { randomUUID } from 'node:crypto';
import { Reader, Writer } from 'nsqjs';
import { instrumentReader, instrumentWriter } from '@tracehop/nsqjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DedicatedBroker, FAULTS } from './support/dedicated-brokers.js';
import { LOAD_RATE, Ledger, Pacer, seenError, sleep, waitUntil, type SeenError } from './support/ledger.js';
import { keepConnected } from './support/nsq-reconnect.js';
import { countingProvider } from './support/span-counter.js';

const broker = new DedicatedBroker('nsqd');
const { provider, counter } = countingProvider();

beforeAll(() => broker.up(), 180_000);
afterAll(() => broker.down(), 180_000);

type Variant = 'raw' | 'wrapped';
const MAX_IN_FLIGHT = 50;
const options = { tracerProvider: provider, propagator: 'tracecontext,baggage' } as const;
const names = (errors: readonly SeenError[]) => [...new Set(errors.map((e) => e.name + ': ' + e.message))].sort();
/**
 * What nsqjs surfaces to a publisher when nsqd goes away: in flight (the connection closed, or
 * its socket's own error after a crash), or sent while disconnected.
 */
const OUTAGE_ERRORS = /^Error: (nsqd connection closed|No active Writer connection to send messages|Connection closed!|read ECONNRESET|write EPIPE|write ECONNRESET)$/;

interface Side {
  readonly variant: Variant;
  readonly topic: string;
  readonly ledger: Ledger;
  readonly writer: Writer;
  isReady(): boolean;
  stopLoad(): Promise<void>;
  close(): void;
}

async function startSide(variant: Variant): Promise<Side> {
  const topic = `reliability-${variant}-${randomUUID().slice(0, 8)}`;
  const ledger = new Ledger(variant);
  const [host, port] = broker.nsqdTcpAddress.split(':') as [string, string];
  const rawWriter = new Writer(host, Number(port));
  const writer = variant === 'raw' ? rawWriter : instrumentWriter(rawWriter, options);
  let ready = false;
  let stopped = false;
  writer.on('ready', () => {
    ready = true;
    ledger.events.push('writer ready');
  });
  writer.on('closed', () => {
    ready = false;
    ledger.events.push('writer closed');
  });
  // Errors emitted as events (connection refused while nsqd is down) are not a publish's.
  writer.on('error', (error: unknown) => ledger.consumerErrors.push(seenError(error)));
  // nsqjs's Writer does not reconnect: the application does, 200 ms after a connection closed.
  const reconnect = keepConnected(writer);
  await waitUntil(() => ready, 10_000);

  const rawReader = new Reader(topic, 'reliability', { nsqdTCPAddresses: [broker.nsqdTcpAddress], maxInFlight: MAX_IN_FLIGHT, lookupdPollInterval: 1 });
  const reader = variant === 'raw' ? rawReader : instrumentReader(rawReader, options);
  reader.on('message', (message) => {
    ledger.receive(message.body.toString());
    message.finish();
  });
  reader.on('nsqd_connected', () => ledger.events.push('reader connected'));
  reader.on('nsqd_closed', () => ledger.events.push('reader closed'));
  reader.on('error', (error: unknown) => ledger.consumerErrors.push(seenError(error)));
  // The topic and channel exist before the first message (nothing is published before the reader is in).
  await new Promise<void>((resolve, reject) => {
    writer.publish(topic, 'hello', (error) => (error ? reject(error) : resolve()));
  });
  ledger.acked.add('hello');
  reader.connect();

  const pacer = new Pacer(LOAD_RATE);
  const load = (async () => {
    for (let i = 0; !stopped; ) {
      if (!ready) {
        await sleep(50);
        continue;
      }
      await pacer.next();
      const id = `${variant}:${i++}`;
      try {
        await new Promise<void>((resolve, reject) => writer.publish(topic, id, (error) => (error ? reject(error) : resolve())));
        ledger.acked.add(id);
      } catch (error) {
        ledger.failed.add(id);
        ledger.producerErrors.push(seenError(error));
        await sleep(20);
      }
    }
  })();
  return {
    variant,
    topic,
    ledger,
    writer,
    isReady: () => ready,
    async stopLoad() {
      stopped = true;
      await Promise.all([load, reconnect.stop()]);
    },
    close() {
      reader.close();
      writer.close();
    },
  };
}

describe('nsqd faults under load: traced clients against raw ones', () => {
  it(
    `${FAULTS.join(', ')}: same errors and events, nothing lost that raw kept, no span left open`,
    async () => {
      const sides = [await startSide('raw'), await startSide('wrapped')] as const;
      const [raw, wrapped] = sides;
      expect(await waitUntil(() => sides.every((s) => s.ledger.received.size >= 300), 60_000)).toBe(true);

      for (const fault of FAULTS) {
        const before = sides.map((s) => s.ledger.acked.size);
        await broker.takeDown(fault);
        expect(await waitUntil(() => sides.every((s) => !s.isReady()), 30_000)).toBe(true);
        // While nsqd is down a publish fails the same way for both.
        const probes = await Promise.all(
          sides.map((s) => new Promise<SeenError | undefined>((resolve) => s.writer.publish(s.topic, 'probe', (error) => resolve(error ? seenError(error) : undefined)))),
        );
        expect(probes[0]).toBeDefined();
        expect(probes[1]).toEqual(probes[0]);
        console.info(`[reliability] nsqd ${fault}: a publish while down fails with ${JSON.stringify(probes[0])} (raw and traced)`);
        await broker.up();
        expect(await waitUntil(() => sides.every((s, i) => s.ledger.acked.size >= before[i]! + 300 && s.ledger.received.size >= before[i]! + 300), 120_000)).toBe(true);
      }

      await Promise.all(sides.map((s) => s.stopLoad()));
      const drained = await waitUntil(() => sides.every((s) => s.ledger.allAckedReceived()), 90_000);
      for (const side of sides) side.close();
      console.info(`[reliability] nsqd ${FAULTS.join('+')}: ${raw.ledger.summary()} | ${wrapped.ledger.summary()}`);

      // A clean restart loses nothing, raw or traced. A crash loses what nsqd held only in
      // memory — at equal load (paced), at most the messages in flight to each reader — and
      // the raw client loses that too: the traced one must stay within the same window.
      const crashes = FAULTS.filter((fault) => fault === 'crash').length;
      if (crashes === 0) {
        expect(drained).toBe(true);
        expect(raw.ledger.lost()).toEqual([]);
        expect(wrapped.ledger.lost()).toEqual([]);
      }
      expect(wrapped.ledger.lost().length).toBeLessThanOrEqual(raw.ledger.lost().length + MAX_IN_FLIGHT * crashes);
      // nsqjs's own errors for a publish the outage caught, for both.
      for (const side of sides) expect(names(side.ledger.producerErrors).filter((name) => !OUTAGE_ERRORS.test(name))).toEqual([]);
      expect([...new Set(wrapped.ledger.events)].sort()).toEqual([...new Set(raw.ledger.events)].sort());
      // The same reconnects: one connection at the start and one after each fault, for both.
      for (const side of sides) {
        expect(side.ledger.count('writer ready')).toBe(1 + FAULTS.length);
        expect(side.ledger.count('reader connected')).toBe(1 + FAULTS.length);
      }

      // Every span ended: each publish (acknowledged or failed, the probes too) and each delivery.
      expect(await counter.waitFor(() => counter.open.size === 0).then(() => counter.open.size)).toBe(0);
      expect(counter.endedNamed(`send ${wrapped.topic}`)).toBe(wrapped.ledger.acked.size + wrapped.ledger.failed.size + FAULTS.length);
      const deliveries = [...wrapped.ledger.received.values()].reduce((a, b) => a + b, 0);
      expect(counter.endedNamed(`process ${wrapped.topic}`)).toBe(deliveries);
    },
    600_000,
  );
});
