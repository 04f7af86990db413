// Kafka restarted (and, under test:soak, crashed) under load, with a raw kafkajs producer and
// consumer as the control running through the very same fault next to the traced ones.
// The traced clients must surface the same errors, recover the same way, lose no message the
// raw ones do not lose, and leave no span open.
import { randomUUID } from 'node:crypto';
import { Kafka, KafkaJSError, logLevel, type Consumer, type Producer } from 'kafkajs';
import { instrumentConsumer, instrumentProducer } from '@tracehop/kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DedicatedBroker, FAULTS } from './support/dedicated-brokers.js';
import { LOAD_RATE, Ledger, Pacer, seenError, sleep, waitUntil } from './support/ledger.js';
import { countingProvider } from './support/span-counter.js';

const broker = new DedicatedBroker('kafka');
const { provider, counter } = countingProvider();

beforeAll(() => broker.up(), 180_000);
afterAll(() => broker.down(), 180_000);

type Variant = 'raw' | 'wrapped';

const names = (errors: ReadonlyArray<{ name: string }>) => [...new Set(errors.map((e) => e.name))].sort();

interface Side {
  readonly variant: Variant;
  readonly ledger: Ledger;
  readonly topic: string;
  /** A producer that does not retry: what a send gives while the broker is down. */
  readonly probe: Producer;
  /** Errors thrown by the load producer, as objects. */
  readonly thrown: unknown[];
  readonly probeErrors: ReturnType<typeof seenError>[];
  stopLoad(): Promise<void>;
  close(): Promise<void>;
}

const options = { tracerProvider: provider, propagator: 'tracecontext,baggage' } as const;

async function startSide(variant: Variant): Promise<Side> {
  const kafka = new Kafka({ clientId: `reliability-${variant}`, brokers: broker.kafkaBrokers, logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 2_000 } });
  const topic = `reliability-${variant}-${randomUUID()}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();

  const ledger = new Ledger(variant);
  const wrapP = (p: Producer) => (variant === 'raw' ? p : instrumentProducer(p, options));
  const producer = wrapP(kafka.producer());
  const probe = wrapP(kafka.producer({ retry: { retries: 0 } }));
  const rawConsumer = kafka.consumer({ groupId: `reliability-${variant}-${randomUUID()}`, retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 2_000 } });
  const consumer: Consumer = variant === 'raw' ? rawConsumer : instrumentConsumer(rawConsumer, options);
  for (const [event, label] of [
    [consumer.events.CONNECT, 'connect'],
    [consumer.events.DISCONNECT, 'disconnect'],
    [consumer.events.GROUP_JOIN, 'group_join'],
    [consumer.events.CRASH, 'crash'],
    [consumer.events.STOP, 'stop'],
  ] as const) {
    consumer.on(event, (e: { payload?: { error?: unknown } }) => {
      ledger.events.push(label);
      if (e.payload?.error !== undefined) ledger.consumerErrors.push(seenError(e.payload.error));
    });
  }
  await Promise.all([producer.connect(), probe.connect(), consumer.connect()]);
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => ledger.receive(String(message.value)) });

  const thrown: unknown[] = [];
  let stopped = false;
  const pacer = new Pacer(LOAD_RATE);
  const load = (async () => {
    for (let i = 0; !stopped; i++) {
      await pacer.next();
      const id = `${variant}:${i}`;
      try {
        await producer.send({ topic, messages: [{ value: id }] });
        ledger.acked.add(id);
      } catch (error) {
        ledger.failed.add(id);
        ledger.producerErrors.push(seenError(error));
        thrown.push(error);
        await sleep(100);
      }
    }
  })();
  return {
    variant,
    ledger,
    topic,
    probe,
    thrown,
    probeErrors: [],
    async stopLoad() {
      stopped = true;
      await load;
    },
    async close() {
      await Promise.allSettled([producer.disconnect(), probe.disconnect(), consumer.disconnect()]);
    },
  };
}

describe('Kafka faults under load: traced clients against raw ones', () => {
  it(
    `${FAULTS.join(', ')}: same errors, same recovery, nothing lost that raw kept, no span left open`,
    async () => {
      const sides = [await startSide('raw'), await startSide('wrapped')] as const;
      const [raw, wrapped] = sides;
      expect(await waitUntil(() => sides.every((s) => s.ledger.received.size >= 200), 60_000)).toBe(true);

      for (const fault of FAULTS) {
        const ackedBefore = sides.map((s) => s.ledger.acked.size);
        await broker.takeDown(fault);
        // While the broker is down, a send that does not retry fails the same way for both.
        const probes = await Promise.all(sides.map((s) => s.probe.send({ topic: s.topic, messages: [{ value: 'probe' }] }).then(() => undefined, (error: unknown) => error)));
        expect(probes[0]).toBeInstanceOf(KafkaJSError);
        expect(probes[1]).toBeInstanceOf(KafkaJSError);
        expect(seenError(probes[1])).toEqual(seenError(probes[0]));
        sides.forEach((s, i) => s.probeErrors.push(seenError(probes[i])));
        console.info(`[reliability] Kafka ${fault}: a send while down fails with ${JSON.stringify(seenError(probes[0]))} (raw and traced)`);
        await broker.up();
        // Both recover on their own and carry on: 200 more acknowledged sends each.
        expect(await waitUntil(() => sides.every((s, i) => s.ledger.acked.size >= ackedBefore[i]! + 200), 120_000)).toBe(true);
      }

      await Promise.all(sides.map((s) => s.stopLoad()));
      const drained = await waitUntil(() => sides.every((s) => s.ledger.allAckedReceived()), 90_000);
      await Promise.all(sides.map((s) => s.close()));
      console.info(`[reliability] Kafka ${FAULTS.join('+')}: ${raw.ledger.summary()} | ${wrapped.ledger.summary()}`);

      // Nothing lost beyond what the raw client lost under the same fault (both: nothing).
      expect(drained).toBe(true);
      expect(wrapped.ledger.lost().length).toBeLessThanOrEqual(raw.ledger.lost().length);
      // The errors a traced producer surfaces are kafkajs's own (the objects kafkajs threw, of
      // its classes), as for the raw one; which send of the load an outage catches is a race.
      for (const error of [...raw.thrown, ...wrapped.thrown]) expect(error).toBeInstanceOf(KafkaJSError);
      console.info(`[reliability] Kafka errors surfaced: raw ${names(raw.ledger.producerErrors).join(', ')}; traced ${names(wrapped.ledger.producerErrors).join(', ')}`);
      // The consumers went through the same kinds of events (connects, rejoins, crashes).
      expect([...new Set(wrapped.ledger.events)].sort()).toEqual([...new Set(raw.ledger.events)].sort());

      // Every span ended: each traced send (acknowledged or failed) and each delivery.
      expect(await counter.waitFor(() => counter.open.size === 0).then(() => counter.open.size)).toBe(0);
      const attempts = wrapped.ledger.acked.size + wrapped.ledger.failed.size + FAULTS.length;
      expect(counter.endedNamed(`send ${wrapped.topic}`)).toBe(attempts);
      const deliveries = [...wrapped.ledger.received.values()].reduce((a, b) => a + b, 0);
      expect(counter.endedNamed(`process ${wrapped.topic}`)).toBe(deliveries);
      // Each failed send (the probes too) is an ERROR span naming kafkajs's error class.
      const failures: Record<string, number> = {};
      for (const error of [...wrapped.ledger.producerErrors, ...wrapped.probeErrors]) failures[error.name] = (failures[error.name] ?? 0) + 1;
      expect(counter.errorsOf(`send ${wrapped.topic}`)).toEqual(failures);
      expect(counter.errorsOf(`process ${wrapped.topic}`)).toEqual({});
    },
    600_000,
  );
});
