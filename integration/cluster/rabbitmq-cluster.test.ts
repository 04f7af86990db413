// RabbitMQ as production runs it — a three-node cluster and quorum queues (replicated on all
// three) — through two failovers under load, raw amqplib as the control beside the traced
// client (tracehop with default options), each on its own queue:
//   1. the node holding the quorum queue's leader is stopped while a confirm channel publishes
//      (on another node) and a consumer acks (on the third); then it comes back;
//   2. a consumer's connection drops while it holds unsettled deliveries: they come back,
//      redelivered, to another consumer.
// Every message is counted; the traced side must lose nothing (nor the raw one, with these
// settings), every delivery's `process` span must be the child of its message's `send` span
// (redeliveries included), each message must carry one context, and no span may stay open.
import { randomUUID } from 'node:crypto';
import { connect, type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage, type Options } from 'amqplib';
import { instrumentConnection } from '@tracehop/amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger, Pacer, seenError, sleep, waitUntil } from '../reliability/support/ledger.js';
import { amqpUrl, clusterDown, clusterUp, rabbitmqctl, rabbitNode, startNode, stopNode } from './support/cluster.js';
import { ClusterTracing, contextCount } from './support/traces.js';

const tracing = new ClusterTracing();
const RATE = 200;
/** Attempts of one publish the application makes when the broker nacks it (the same options object again). */
const APP_ATTEMPTS = 5;
const QUORUM = { durable: true, arguments: { 'x-queue-type': 'quorum' } } as const;

type Variant = 'raw' | 'traced';

beforeAll(() => clusterUp('rabbitmq'), 300_000);
afterAll(() => clusterDown('rabbitmq'), 300_000);

async function connectTo(variant: Variant, node: number, ledger: Ledger): Promise<ChannelModel> {
  const raw = await connect(amqpUrl(node));
  const connection = variant === 'raw' ? raw : instrumentConnection(raw);
  connection.on('error', (error: unknown) => ledger.consumerErrors.push(seenError(error)));
  connection.on('close', () => ledger.events.push(`close ${node}`));
  return connection;
}

/** The node holding each queue's quorum leader, as the cluster reports it (asked of `via`). */
async function leaders(via: number, queues: readonly string[]): Promise<number[]> {
  const rows = JSON.parse(await rabbitmqctl(via, 'list_queues', 'name', 'leader', '--formatter', 'json')) as Array<{ name: string; leader: string }>;
  return queues.map((queue) => {
    const leader = rows.find((row) => row.name === queue)?.leader ?? '';
    return [1, 2, 3].find((n) => rabbitNode(n) === leader) ?? 0;
  });
}

function consume(variant: Variant, channel: Channel, queue: string, ledger: Ledger, settle: (message: ConsumeMessage) => void) {
  return channel.consume(queue, (message) => {
    if (message === null) return;
    const id = message.content.toString();
    ledger.receive(id);
    if (message.fields.redelivered) ledger.events.push('redelivered');
    if (variant === 'traced') tracing.delivered(id, contextCount(message.properties.headers));
    settle(message);
  });
}

interface Load {
  calls(): number;
  /** Settles when the load has sent all it was to send (`limit`). */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

/** Publishes ids at RATE with confirms; a nacked publish is retried with the very same options object. */
function startLoad(variant: Variant, channel: ConfirmChannel, queue: string, ledger: Ledger, limit = Infinity): Load {
  let stopped = false;
  let calls = 0;
  const pacer = new Pacer(RATE);
  const loop = (async () => {
    for (let i = 0; !stopped && i < limit; i++) {
      await pacer.next();
      const id = `${variant}:${i}`;
      const options: Options.Publish = { persistent: true, headers: { 'x-attempted': 'by-app' } };
      const attempt = async () => {
        for (let n = 1; n <= APP_ATTEMPTS; n++) {
          calls++;
          try {
            await new Promise<void>((resolve, reject) => channel.sendToQueue(queue, Buffer.from(id), options, (error) => (error ? reject(error) : resolve())));
            ledger.acked.add(id);
            return;
          } catch (error) {
            ledger.producerErrors.push(seenError(error));
            await sleep(200);
          }
        }
        ledger.failed.add(id);
      };
      await (variant === 'traced' ? tracing.sending(id, attempt) : attempt());
    }
  })();
  return {
    calls: () => calls,
    done: loop,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

const account = (ledger: Ledger) => ({ acked: ledger.acked.size, failed: ledger.failed.size, received: ledger.received.size, lost: ledger.lost().length, redelivered: ledger.duplicates(), nacked: ledger.producerErrors.length });
const deliveriesOf = (ledger: Ledger) => [...ledger.received.values()].reduce((a, b) => a + b, 0);

async function leaderSide(variant: Variant, admin: Channel) {
  const queue = `cluster-leader-${variant}-${randomUUID()}`;
  // Declared through node 1: the queue's leader is there (client-local placement), for both sides.
  await admin.assertQueue(queue, QUORUM);
  const ledger = new Ledger(variant);
  const publisher = await connectTo(variant, 2, ledger);
  const consumer = await connectTo(variant, 3, ledger);
  const channel = await publisher.createConfirmChannel();
  const consuming = await consumer.createChannel();
  await consuming.prefetch(50);
  await consume(variant, consuming, queue, ledger, (message) => consuming.ack(message));
  return { variant, queue, ledger, publisher, consumer, load: startLoad(variant, channel, queue, ledger) };
}

describe('RabbitMQ three-node cluster with quorum queues: failover under traced load', () => {
  it('the node holding the quorum queue leader stops while publishing with confirms and consuming: nothing lost, traces whole', async () => {
    tracing.reset();
    const adminConnection = await connect(amqpUrl(1));
    const admin = await adminConnection.createChannel();
    const sides = [await leaderSide('raw', admin), await leaderSide('traced', admin)] as const;
    const [raw, traced] = sides;
    await adminConnection.close();
    const queues = sides.map((s) => s.queue);

    expect(await waitUntil(() => sides.every((s) => s.ledger.received.size >= 300), 120_000)).toBe(true);
    // Node 1 leads both queues; the clients are on nodes 2 and 3.
    expect(await leaders(2, queues)).toEqual([1, 1]);
    const before = sides.map((s) => s.ledger.acked.size);
    await stopNode('rabbitmq', 1);
    // The queues elect a leader among the two replicas left; publishing and consuming go on.
    expect(await waitUntil(() => sides.every((s, i) => s.ledger.acked.size >= before[i]! + 300), 120_000)).toBe(true);
    const after = await leaders(2, queues);
    expect(after.every((node) => node === 2 || node === 3)).toBe(true);
    console.info(`[cluster] RabbitMQ: leader node 1 stopped, new leaders on nodes ${after.join(', ')}`);
    await startNode('rabbitmq', 1);
    const back = sides.map((s) => s.ledger.acked.size);
    expect(await waitUntil(() => sides.every((s, i) => s.ledger.acked.size >= back[i]! + 200), 120_000)).toBe(true);

    await Promise.all(sides.map((s) => s.load.stop()));
    const drained = await waitUntil(() => sides.every((s) => s.ledger.allAckedReceived()), 120_000);
    await Promise.all(sides.flatMap((s) => [s.publisher.close().catch(() => undefined), s.consumer.close().catch(() => undefined)]));
    const check = tracing.check(traced.queue);
    console.info(`[cluster] RabbitMQ leader stop: raw ${JSON.stringify(account(raw.ledger))} | traced ${JSON.stringify(account(traced.ledger))}; traced publish calls ${traced.load.calls()}, traces ${JSON.stringify({ ...check, problems: check.problems.length })}`);
    console.info(`[cluster] RabbitMQ leader stop errors: raw ${JSON.stringify(raw.ledger.producerErrors.slice(0, 3))} traced ${JSON.stringify(traced.ledger.producerErrors.slice(0, 3))}; connection errors raw ${raw.ledger.consumerErrors.length} traced ${traced.ledger.consumerErrors.length}`);

    expect(drained).toBe(true);
    expect(raw.ledger.lost()).toEqual([]);
    expect(traced.ledger.lost()).toEqual([]);
    expect([raw.ledger.failed.size, traced.ledger.failed.size]).toEqual([0, 0]);
    // The clients' connections (nodes 2 and 3) lived through the fault, raw and traced alike.
    expect(traced.ledger.consumerErrors).toEqual(raw.ledger.consumerErrors);
    expect(check.problems.slice(0, 10)).toEqual([]);
    expect(check.deliveries).toBe(deliveriesOf(traced.ledger));
    expect(await tracing.openSpansAfterDrain()).toBe(0);
    expect(tracing.counter.endedNamed(`send ${traced.queue}`)).toBe(traced.load.calls());
    expect(tracing.counter.endedNamed(`process ${traced.queue}`)).toBe(check.deliveries);
  }, 600_000);

  it('a consumer whose connection drops holding unsettled deliveries: they come back redelivered, traced to their sends, no span open', async () => {
    tracing.reset();
    const MESSAGES = 400;
    const ACKED_FIRST = 100;
    const PREFETCH = 20;
    const results = [];
    for (const variant of ['raw', 'traced'] as const) {
      const queue = `cluster-drop-${variant}-${randomUUID()}`;
      const ledger = new Ledger(variant);
      const publisher = await connectTo(variant, 1, ledger);
      const channel = await publisher.createConfirmChannel();
      await channel.assertQueue(queue, QUORUM);
      // Consumer A (node 2) acks the first ACKED_FIRST, then holds what it gets, unsettled.
      const first = await connectTo(variant, 2, ledger);
      const firstChannel = await first.createChannel();
      await firstChannel.prefetch(PREFETCH);
      let handled = 0;
      const held = new Set<string>();
      await consume(variant, firstChannel, queue, ledger, (message) => {
        if (++handled <= ACKED_FIRST) firstChannel.ack(message);
        else held.add(message.content.toString());
      });
      const load = startLoad(variant, channel, queue, ledger, MESSAGES);
      expect(await waitUntil(() => held.size === PREFETCH, 60_000)).toBe(true);
      const openBefore = tracing.counter.open.size;
      // The connection drops: its socket fails, with no AMQP close (the broker sees it go).
      (first as unknown as { connection: { stream: { destroy(error: Error): void } } }).connection.stream.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
      expect(await waitUntil(() => ledger.count('close 2') === 1, 30_000)).toBe(true);
      // Consumer B (node 3) gets the rest, and the held ones again.
      const second = await connectTo(variant, 3, ledger);
      const secondChannel = await second.createChannel();
      await secondChannel.prefetch(PREFETCH);
      const redelivered = new Set<string>();
      await consume(variant, secondChannel, queue, ledger, (message) => {
        if (message.fields.redelivered) redelivered.add(message.content.toString());
        secondChannel.ack(message);
      });
      await load.done;
      const drained = await waitUntil(() => ledger.acked.size === MESSAGES && ledger.allAckedReceived() && redelivered.size >= held.size, 60_000);
      await Promise.all([publisher.close(), second.close()].map((p) => p.catch(() => undefined)));
      results.push({ variant, queue, ledger, held, redelivered, drained, openBefore, calls: load.calls() });
    }
    const [raw, traced] = results as [(typeof results)[number], (typeof results)[number]];
    const check = tracing.check(traced.queue);
    console.info(`[cluster] RabbitMQ connection drop: raw ${JSON.stringify({ ...account(raw.ledger), held: raw.held.size, redeliveredFlag: raw.redelivered.size })} | traced ${JSON.stringify({ ...account(traced.ledger), held: traced.held.size, redeliveredFlag: traced.redelivered.size, spansOpenWhenDropped: traced.openBefore })}; traces ${JSON.stringify({ ...check, problems: check.problems.length })}`);

    for (const side of results) {
      expect(side.drained).toBe(true);
      expect(side.ledger.lost()).toEqual([]);
      // Exactly the held deliveries came back, flagged redelivered, and nothing else twice.
      expect([...side.redelivered].sort()).toEqual([...side.held].sort());
      expect(side.ledger.duplicates()).toBe(PREFETCH);
    }
    // The held deliveries' spans were open until the connection dropped, and ended with it.
    expect(traced.openBefore).toBeGreaterThanOrEqual(PREFETCH);
    expect(check.redeliveries).toBe(PREFETCH);
    expect(check.problems.slice(0, 10)).toEqual([]);
    expect(check.deliveries).toBe(deliveriesOf(traced.ledger));
    expect(await tracing.openSpansAfterDrain()).toBe(0);
    expect(tracing.counter.endedNamed(`send ${traced.queue}`)).toBe(traced.calls);
    expect(tracing.counter.endedNamed(`process ${traced.queue}`)).toBe(check.deliveries);
    console.info(`[cluster] RabbitMQ connection drop: traced process spans with ERROR ${JSON.stringify(tracing.counter.errorsOf(`process ${traced.queue}`))}`);
  }, 600_000);

  it('a publish the quorum queue nacks (reject-publish overflow), retried with the same options object, arrives carrying one context', async () => {
    tracing.reset();
    const results = [];
    for (const variant of ['raw', 'traced'] as const) {
      const queue = `cluster-nack-${variant}-${randomUUID()}`;
      const ledger = new Ledger(variant);
      const connection = await connectTo(variant, 2, ledger);
      const channel = await connection.createConfirmChannel();
      // Room for one message: a second publish is nacked until the first is consumed.
      await channel.assertQueue(queue, { ...QUORUM, arguments: { ...QUORUM.arguments, 'x-max-length': 1, 'x-overflow': 'reject-publish' } });
      const publish = (id: string, options: Options.Publish) =>
        new Promise<void>((resolve, reject) => channel.sendToQueue(queue, Buffer.from(id), options, (error) => (error ? reject(error) : resolve())));
      // Quorum queues enforce the length once it is exceeded: fill until a publish is nacked;
      // that one is retried by the application, with its very options object.
      let id = '';
      let options: Options.Publish = {};
      let attempts = 0;
      const nacks: string[] = [];
      let consuming: Channel | undefined;
      const attempt = async () => {
        for (;;) {
          attempts++;
          try {
            await publish(id, options);
            ledger.acked.add(id);
            return;
          } catch (error) {
            nacks.push(seenError(error).message);
            if (attempts > 100) throw error;
            // Make room: a consumer takes what is queued, then the same publish is retried.
            if (consuming === undefined) {
              consuming = await connection.createChannel();
              await consume(variant, consuming, queue, ledger, (message) => consuming!.ack(message));
            }
            await sleep(100);
          }
        }
      };
      for (let k = 0; attempts < 2; k++) {
        if (k >= 10) throw new Error('the queue never nacked a publish');
        id = `${variant}:fill-${k}`;
        options = { persistent: true, headers: { 'x-tenant': 'acme' } };
        attempts = 0;
        const first = async () => {
          try {
            attempts++;
            await publish(id, options);
            ledger.acked.add(id);
          } catch (error) {
            nacks.push(seenError(error).message);
            await attempt();
          }
        };
        await (variant === 'traced' ? tracing.sending(id, first) : first());
      }
      const drained = await waitUntil(() => ledger.allAckedReceived(), 30_000);
      await connection.close();
      results.push({ variant, queue, ledger, id, attempts, nacks, drained, headers: { ...options.headers } });
    }
    const [raw, traced] = results as [(typeof results)[number], (typeof results)[number]];
    const check = tracing.check(traced.queue);
    console.info(`[cluster] RabbitMQ nacked publish retried: raw ${JSON.stringify({ ...account(raw.ledger), retried: raw.id, attempts: raw.attempts, nack: raw.nacks[0] })} | traced ${JSON.stringify({ ...account(traced.ledger), retried: traced.id, attempts: traced.attempts, nack: traced.nacks[0], optionsHeadersAfter: Object.keys(traced.headers) })}; traces ${JSON.stringify(check)}`);

    for (const side of results) {
      expect(side.drained).toBe(true);
      expect(side.ledger.lost()).toEqual([]);
      // Nacked at least once (the queue was full), then taken; each message delivered once.
      expect(side.attempts).toBeGreaterThanOrEqual(2);
      expect(side.ledger.duplicates()).toBe(0);
    }
    expect(traced.nacks[0]).toEqual(raw.nacks[0]);
    // One context on the retried message, its last attempt's; every attempt a span of its own.
    expect(check.problems).toEqual([]);
    expect(check.deliveries).toBe(traced.ledger.acked.size);
    const second = tracing.deliveries.find((d) => d.id === traced.id)!;
    const processSpan = tracing.counter.kept.find((span) => span.spanContext().spanId === second.spanId)!;
    const sendSpan = tracing.counter.kept.find((span) => span.spanContext().spanId === processSpan.parentSpanContext?.spanId)!;
    expect(sendSpan.status.code).not.toBe(2);
    expect(tracing.counter.endedNamed(`send ${traced.queue}`)).toBe(traced.ledger.acked.size - 1 + traced.attempts);
    expect(Object.values(tracing.counter.errorsOf(`send ${traced.queue}`)).reduce((a, b) => a + b, 0)).toBe(traced.attempts - 1);
    expect(await tracing.openSpansAfterDrain()).toBe(0);
  }, 120_000);
});
