// RabbitMQ restarted (and, under test:soak, crashed) under load: amqplib connections with
// automatic recovery (amqplib 2.x `recovery`), a confirm channel publishing persistent
// messages to a durable queue and a consumer acknowledging them, raw as the control and
// traced, through the very same fault. The traced side must see the same disconnects and
// errors, recover the same way, lose nothing the raw side keeps, and leave no span open
// (deliveries unsettled when the channel died included).
import { randomUUID } from 'node:crypto';
import { connect, type Channel, type ConfirmChannel } from 'amqplib';
import { instrumentChannel, instrumentConnection } from '@tracehop/amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DedicatedBroker, FAULTS } from './support/dedicated-brokers.js';
import { LOAD_RATE, Ledger, Pacer, seenError, sleep, waitUntil, type SeenError } from './support/ledger.js';
import { countingProvider } from './support/span-counter.js';

const broker = new DedicatedBroker('rabbitmq');
const { provider, counter } = countingProvider();

beforeAll(() => broker.up(), 180_000);
afterAll(() => broker.down(), 180_000);

type Variant = 'raw' | 'wrapped';
const options = { tracerProvider: provider, propagator: 'tracecontext,baggage' } as const;
const names = (errors: readonly SeenError[]) => [...new Set(errors.map((e) => e.name))].sort();
/** What amqplib itself surfaces to a publisher when the broker goes away. */
const OUTAGE_ERRORS = ['Error', 'IllegalOperationError'];
/**
 * How amqplib reports the broker going away: the broker's CONNECTION_FORCED close, or — when
 * the socket fails before that frame is read — the socket's own error. Which one a connection
 * sees is a race between the broker's shutdown and the client's next write, for raw and
 * traced alike (two connections, two races).
 */
const OUTAGE_DISCONNECT = /CONNECTION_FORCED|ECONNRESET|EPIPE|Socket closed|Unexpected close/;

interface Side {
  readonly variant: Variant;
  readonly queue: string;
  readonly ledger: Ledger;
  readonly disconnects: SeenError[];
  /** The disconnect errors as the listener got them, and as the raw model emitted them. */
  readonly disconnectObjects: unknown[];
  readonly emittedDisconnects: unknown[];
  publishChannel(): ConfirmChannel | undefined;
  stopLoad(): Promise<void>;
  close(): Promise<void>;
}

async function startSide(variant: Variant): Promise<Side> {
  const queue = `reliability-${variant}-${randomUUID()}`;
  const ledger = new Ledger(variant);
  const disconnects: SeenError[] = [];
  const disconnectObjects: unknown[] = [];
  const emittedDisconnects: unknown[] = [];
  let publish: ConfirmChannel | undefined;
  const wrap = <C extends Channel>(channel: C): C => (variant === 'raw' ? channel : instrumentChannel(channel, options));

  // amqplib runs `setup` on every (re)connection, on its raw model: the channels are made,
  // and wrapped, here, the way the adapter's README says.
  const setup = async (model: { createChannel(): Promise<Channel>; createConfirmChannel(): Promise<ConfirmChannel> }) => {
    const consumer = wrap(await model.createChannel());
    await consumer.assertQueue(queue, { durable: true });
    await consumer.prefetch(50);
    await consumer.consume(queue, (message) => {
      if (message === null) return;
      ledger.receive(message.content.toString());
      consumer.ack(message);
    });
    publish = wrap(await model.createConfirmChannel());
  };
  const raw = await connect(broker.amqpUrl, { recovery: { initialDelay: 200, maxDelay: 1_000, jitter: 0, setup } });
  const connection = variant === 'raw' ? raw : instrumentConnection(raw, options);
  raw.on('disconnect', (error: unknown) => emittedDisconnects.push(error));
  connection.on('disconnect', (error: unknown) => {
    publish = undefined;
    ledger.events.push('disconnect');
    disconnects.push(seenError(error));
    disconnectObjects.push(error);
  });
  connection.on('connect', () => ledger.events.push('connect'));
  connection.on('connect-failed', () => ledger.events.push('connect-failed'));
  connection.on('reconnect-failed', () => ledger.events.push('reconnect-failed'));
  connection.on('error', (error: unknown) => ledger.consumerErrors.push(seenError(error)));

  let stopped = false;
  const pacer = new Pacer(LOAD_RATE);
  const load = (async () => {
    for (let i = 0; !stopped; ) {
      const channel = publish;
      if (channel === undefined) {
        await sleep(50);
        continue;
      }
      await pacer.next();
      const id = `${variant}:${i++}`;
      try {
        await new Promise<void>((resolve, reject) => {
          channel.publish('', queue, Buffer.from(id), { persistent: true }, (error) => (error ? reject(error) : resolve()));
        });
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
    queue,
    ledger,
    disconnects,
    disconnectObjects,
    emittedDisconnects,
    publishChannel: () => publish,
    async stopLoad() {
      stopped = true;
      await load;
    },
    async close() {
      await connection.close().catch(() => undefined);
    },
  };
}

describe('RabbitMQ faults under load: traced clients against raw ones', () => {
  it(
    `${FAULTS.join(', ')}: same disconnects and errors, same recovery, nothing lost that raw kept, no span left open`,
    async () => {
      const sides = [await startSide('raw'), await startSide('wrapped')] as const;
      const [raw, wrapped] = sides;
      expect(await waitUntil(() => sides.every((s) => s.ledger.received.size >= 300), 60_000)).toBe(true);

      for (const [round, fault] of FAULTS.entries()) {
        const before = sides.map((s) => s.ledger.acked.size);
        const channels = sides.map((s) => s.publishChannel()!);
        await broker.takeDown(fault);
        expect(await waitUntil(() => sides.every((s) => s.disconnects.length === round + 1), 30_000)).toBe(true);
        // amqplib's own disconnect error (the broker's CONNECTION_FORCED, or the socket's),
        // reaching the traced side's listener as the very object amqplib emitted; and the same
        // error from a publish on the channel the broker took away.
        for (const side of sides) expect(side.disconnects[round]!.message).toMatch(OUTAGE_DISCONNECT);
        expect(wrapped.disconnectObjects[round]).toBe(wrapped.emittedDisconnects[round]);
        const probes = channels.map((channel) => {
          try {
            channel.publish('', 'nowhere', Buffer.from('probe'));
            return undefined;
          } catch (error) {
            return seenError(error);
          }
        });
        expect(probes[0]).toBeDefined();
        expect(probes[1]).toEqual(probes[0]);
        console.info(`[reliability] RabbitMQ ${fault}: disconnect ${JSON.stringify(raw.disconnects[round])} (raw), ${JSON.stringify(wrapped.disconnects[round])} (traced); publish on the dead channel ${JSON.stringify(probes[0])} (raw and traced)`);
        await broker.up();
        expect(await waitUntil(() => sides.every((s, i) => s.ledger.acked.size >= before[i]! + 300), 120_000)).toBe(true);
      }

      await Promise.all(sides.map((s) => s.stopLoad()));
      const drained = await waitUntil(() => sides.every((s) => s.ledger.allAckedReceived()), 90_000);
      await Promise.all(sides.map((s) => s.close()));
      console.info(`[reliability] RabbitMQ ${FAULTS.join('+')}: ${raw.ledger.summary()} | ${wrapped.ledger.summary()}`);

      expect(drained).toBe(true);
      expect(wrapped.ledger.lost().length).toBeLessThanOrEqual(raw.ledger.lost().length);
      // Publishes caught by the outage fail with amqplib's own errors, for both: a confirm
      // callback's Error, or IllegalOperationError when the channel was already closed (which
      // of the two a given publish gets is a race with the socket, for raw and traced alike).
      for (const side of sides) expect(names(side.ledger.producerErrors).filter((name) => !OUTAGE_ERRORS.includes(name))).toEqual([]);
      expect([...new Set(wrapped.ledger.events)].sort()).toEqual([...new Set(raw.ledger.events)].sort());
      // The same reconnects: one disconnect and one recovery per fault, for both.
      for (const side of sides) {
        expect(side.ledger.count('disconnect')).toBe(FAULTS.length);
        expect(side.ledger.count('connect')).toBe(FAULTS.length);
      }

      // Every span ended: sends (confirmed or failed), and every delivery — those the channel
      // close left unsettled with ERROR.
      expect(await counter.waitFor(() => counter.open.size === 0).then(() => counter.open.size)).toBe(0);
      expect(counter.endedNamed(`send ${wrapped.queue}`)).toBe(counter.started.get(`send ${wrapped.queue}`));
      const deliveries = [...wrapped.ledger.received.values()].reduce((a, b) => a + b, 0);
      expect(counter.endedNamed(`process ${wrapped.queue}`)).toBeGreaterThanOrEqual(deliveries);
      console.info(`[reliability] RabbitMQ traced span errors: send ${JSON.stringify(counter.errorsOf(`send ${wrapped.queue}`))}, process ${JSON.stringify(counter.errorsOf(`process ${wrapped.queue}`))}`);
    },
    600_000,
  );
});
