// Kafka as production runs it — three brokers, topics with replication factor 3 and
// min.insync.replicas 2 — through two failovers under load, a raw kafkajs client as the
// control beside the traced one (tracehop with default options), each on its own topic:
//   1. the partition leader is killed (SIGKILL) mid-stream, then restarted;
//   2. a consumer of a three-member group dies (SIGKILL of its process): the group rebalances.
// Every message is counted; the traced side must lose nothing (nor the raw one, with these
// settings), every delivery's `process` span must be the child of its message's `send` span
// (redeliveries included), each message must carry one context, and no span may stay open.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, type Admin, type Consumer, type ITopicConfig, type Producer } from 'kafkajs';
import { instrumentConsumer, instrumentProducer } from '@tracehop/kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger, Pacer, seenError, sleep, waitUntil } from '../reliability/support/ledger.js';
import { clusterDown, clusterUp, kafkaBrokers, killNode, startNode } from './support/cluster.js';
import { ClusterTracing, contextCount } from './support/traces.js';

const tracing = new ClusterTracing();
const CHILD = fileURLToPath(new URL('./support/kafka-consumer-child.ts', import.meta.url));
const SOAK = process.env.TRACEHOP_SOAK === '1';
/** Messages per second per side: both sides keep the same exposure to the fault. */
const RATE = 200;
/** A consumer whose session lapses after 6 s (the broker's minimum) is taken out of its group. */
const CONSUMER = { sessionTimeout: 6_000, heartbeatInterval: 500 } as const;
/** Zero loss needs all three: every in-sync replica acknowledges, idempotence, one request in flight. */
const PRODUCER = { idempotent: true, maxInFlightRequests: 1, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1_000 } } as const;
/** Attempts of one send the application makes when kafkajs gives up (the same message object again). */
const APP_ATTEMPTS = 5;

type Variant = 'raw' | 'traced';

beforeAll(() => clusterUp('kafka'), 300_000);
afterAll(() => clusterDown('kafka'), 300_000);

const kafkaFor = (variant: Variant) =>
  new Kafka({ clientId: `cluster-${variant}`, brokers: kafkaBrokers, logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1_000 } });

interface Load {
  readonly ledger: Ledger;
  /** send() calls made (each a `send` span on the traced side). */
  calls(): number;
  stop(): Promise<void>;
}

/** Sends ids `${variant}:${i}` at RATE, each retried by the application (same object) if kafkajs gives up. */
function startLoad(variant: Variant, producer: Producer, topic: string, ledger: Ledger): Load {
  let stopped = false;
  let calls = 0;
  const pacer = new Pacer(RATE);
  const loop = (async () => {
    for (let i = 0; !stopped; i++) {
      await pacer.next();
      const id = `${variant}:${i}`;
      const record = { topic, acks: -1, messages: [{ value: id }] };
      const attempt = async () => {
        for (let n = 1; n <= APP_ATTEMPTS; n++) {
          calls++;
          try {
            await producer.send(record);
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
    ledger,
    calls: () => calls,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/**
 * Sends one record with a producer that does not retry, again and again (the very same record
 * object) until the cluster takes it: the application's own retry of a send that failed.
 * Resolves with the number of attempts.
 */
async function sendUntilTaken(variant: Variant, producer: Producer, topic: string, ledger: Ledger): Promise<number> {
  const id = `${variant}:retried`;
  const record = { topic, acks: -1, messages: [{ value: id }] };
  let attempts = 0;
  const attempt = async () => {
    for (;;) {
      attempts++;
      try {
        await producer.send(record);
        ledger.acked.add(id);
        return;
      } catch (error) {
        ledger.events.push(`retried send: ${seenError(error).name}`);
        if (attempts >= 300) throw error;
        await sleep(100);
      }
    }
  };
  await (variant === 'traced' ? tracing.sending(id, attempt) : attempt());
  return attempts;
}

function consumeInto(variant: Variant, consumer: Consumer, ledger: Ledger): Consumer {
  const wrapped = variant === 'raw' ? consumer : instrumentConsumer(consumer);
  wrapped.on(wrapped.events.GROUP_JOIN, () => ledger.events.push('group_join'));
  wrapped.on(wrapped.events.CRASH, () => ledger.events.push('crash'));
  return wrapped;
}

async function run(variant: Variant, consumer: Consumer, topic: string, ledger: Ledger): Promise<void> {
  await consumer.connect();
  // A broker that has just created the topic, or just restarted, may not know it yet; kafkajs
  // retries that on send but not on subscribe.
  for (let tries = 0; ; tries++) {
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      break;
    } catch (error) {
      if ((error as { type?: string }).type !== 'UNKNOWN_TOPIC_OR_PARTITION' || tries >= 40) throw error;
      await sleep(250);
    }
  }
  await consumer.run({
    eachMessage: async ({ message }) => {
      const id = String(message.value);
      ledger.receive(id);
      if (variant === 'traced') tracing.delivered(id, contextCount(message.headers));
    },
  });
}

/**
 * Creates a topic and waits until every broker knows its leaders (kafkajs's own
 * `waitForLeaders` asks one broker, which in a cluster may not have the new metadata yet).
 */
async function createTopic(admin: Admin, topic: ITopicConfig): Promise<void> {
  await admin.createTopics({ topics: [topic], waitForLeaders: false });
  const known = async () => {
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic.topic] });
      return topics[0]!.partitions.length > 0 && topics[0]!.partitions.every((p) => p.leader >= 0 && p.isr.length === 3);
    } catch {
      return false;
    }
  };
  for (let tries = 0; !(await known()); tries++) {
    if (tries > 200) throw new Error(`topic ${topic.topic} has no leaders after 20 s`);
    await sleep(100);
  }
}

const account = (ledger: Ledger) => ({ acked: ledger.acked.size, failed: ledger.failed.size, received: ledger.received.size, lost: ledger.lost().length, redelivered: ledger.duplicates() });

async function leaderSide(variant: Variant, admin: Admin) {
  const topic = `cluster-leader-${variant}-${randomUUID()}`;
  // Broker 1 is the preferred leader of both topics: the same fault hits both sides.
  await createTopic(admin, { topic, replicaAssignment: [{ partition: 0, replicas: [1, 2, 3] }], configEntries: [{ name: 'min.insync.replicas', value: '2' }] });
  const kafka = kafkaFor(variant);
  const ledger = new Ledger(variant);
  const raw = kafka.producer(PRODUCER);
  const producer = variant === 'raw' ? raw : instrumentProducer(raw);
  const unretried = kafka.producer({ retry: { retries: 0 } });
  const probe = variant === 'raw' ? unretried : instrumentProducer(unretried);
  const consumer = consumeInto(variant, kafka.consumer({ groupId: `cluster-leader-${variant}-${randomUUID()}`, ...CONSUMER }), ledger);
  await Promise.all([producer.connect(), probe.connect()]);
  await run(variant, consumer, topic, ledger);
  return { variant, topic, ledger, producer, probe, consumer, retries: [] as number[], load: startLoad(variant, producer, topic, ledger) };
}

async function rebalanceSide(variant: Variant, admin: Admin) {
  const topic = `cluster-rebalance-${variant}-${randomUUID()}`;
  const groupId = `cluster-rebalance-${variant}-${randomUUID()}`;
  await createTopic(admin, { topic, numPartitions: 6, replicationFactor: 3 });
  const kafka = kafkaFor(variant);
  const ledger = new Ledger(variant);
  const childIds = new Map<string, number>();
  let childJoins = 0;
  // The member that will die, in a process of its own.
  const child = spawn(process.execPath, ['--conditions=tracehop-source', '--import', 'tsx', CHILD, variant === 'raw' ? 'raw' : 'traced', kafkaBrokers.join(','), topic, groupId], { stdio: ['ignore', 'pipe', 'inherit'] });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const seen = JSON.parse(line) as { event?: string; id?: string; parentSpanId?: string; traceId?: string; contexts?: number };
    if (seen.event === 'group_join') return void childJoins++;
    const id = seen.id!;
    childIds.set(id, (childIds.get(id) ?? 0) + 1);
    ledger.receive(id);
    if (variant === 'traced') tracing.remote.push({ id, parentSpanId: seen.parentSpanId, traceId: seen.traceId, contexts: seen.contexts ?? 0 });
  });
  const consumers = [0, 1].map(() => consumeInto(variant, kafka.consumer({ groupId, ...CONSUMER }), ledger));
  for (const consumer of consumers) await run(variant, consumer, topic, ledger);
  const raw = kafka.producer(PRODUCER);
  const producer = variant === 'raw' ? raw : instrumentProducer(raw);
  await producer.connect();
  return { variant, topic, ledger, producer, consumers, child, childIds, joins: () => childJoins, load: startLoad(variant, producer, topic, ledger) };
}

describe('Kafka three-node cluster: failover under traced load', () => {
  it('partition leader killed mid-stream and restarted (idempotent producer, acks -1): nothing lost, traces whole', async () => {
    tracing.reset();
    const admin = kafkaFor('raw').admin();
    await admin.connect();
    const sides = [await leaderSide('raw', admin), await leaderSide('traced', admin)] as const;
    const [raw, traced] = sides;
    const leaders = async () => (await admin.fetchTopicMetadata({ topics: sides.map((s) => s.topic) })).topics.map((t) => t.partitions[0]!.leader);

    const rounds = SOAK ? 3 : 1;
    for (let round = 0; round < rounds; round++) {
      expect(await waitUntil(() => sides.every((s) => s.ledger.received.size >= 200 * (round + 1)), 120_000)).toBe(true);
      // The same broker leads both topics in the first round (the assignment above); later
      // (soak) rounds kill whichever broker leads the raw side's partition.
      const [leader] = await leaders();
      if (round === 0) expect(await leaders()).toEqual([leader, leader]);
      const before = sides.map((s) => s.ledger.acked.size);
      await killNode('kafka', leader!);
      // A send that kafkajs does not retry fails while the partition has no live leader; the
      // application sends the same record again until it is taken (round 1).
      if (round === 0) for (const [i, attempts] of (await Promise.all(sides.map((s) => sendUntilTaken(s.variant, s.probe, s.topic, s.ledger)))).entries()) sides[i]!.retries.push(attempts);
      // With broker `leader` dead, both sides go on: a new leader from the in-sync replicas.
      expect(await waitUntil(() => sides.every((s, i) => s.ledger.acked.size >= before[i]! + 300), 120_000)).toBe(true);
      const after = await leaders();
      expect(after).not.toContain(leader);
      console.info(`[cluster] Kafka round ${round + 1}: leader ${leader} killed, new leaders ${after.join(', ')}`);
      await startNode('kafka', leader!);
      const back = sides.map((s) => s.ledger.acked.size);
      expect(await waitUntil(() => sides.every((s, i) => s.ledger.acked.size >= back[i]! + 200), 120_000)).toBe(true);
    }

    await Promise.all(sides.map((s) => s.load.stop()));
    const drained = await waitUntil(() => sides.every((s) => s.ledger.allAckedReceived()), 120_000);
    await Promise.all(sides.flatMap((s) => [s.producer.disconnect(), s.probe.disconnect(), s.consumer.disconnect()]));
    await admin.disconnect();
    const check = tracing.check(traced.topic);
    console.info(`[cluster] Kafka leader kill: raw ${JSON.stringify({ ...account(raw.ledger), retriedSendAttempts: raw.retries })} | traced ${JSON.stringify({ ...account(traced.ledger), retriedSendAttempts: traced.retries })}; traced send calls ${traced.load.calls()}, traces ${JSON.stringify({ ...check, problems: check.problems.length })}`);
    console.info(`[cluster] Kafka leader kill errors: raw ${JSON.stringify(raw.ledger.producerErrors.slice(0, 3))} traced ${JSON.stringify(traced.ledger.producerErrors.slice(0, 3))}`);

    expect(drained).toBe(true);
    expect(raw.ledger.lost()).toEqual([]);
    expect(traced.ledger.lost()).toEqual([]);
    // Not one send given up, raw or traced.
    expect([raw.ledger.failed.size, traced.ledger.failed.size]).toEqual([0, 0]);
    // The send the application retried failed at least once, raw and traced, and then the
    // message arrived carrying one context: that of its last, successful, attempt.
    for (const side of sides) expect(side.retries[0]).toBeGreaterThanOrEqual(2);
    expect(check.problems.slice(0, 10)).toEqual([]);
    expect(check.deliveries).toBe([...traced.ledger.received.values()].reduce((a, b) => a + b, 0));
    const retried = tracing.deliveries.filter((d) => d.id === 'traced:retried');
    expect(retried.length).toBeGreaterThanOrEqual(1);
    const sendOf = (spanId: string | undefined) => tracing.counter.kept.find((span) => span.spanContext().spanId === tracing.counter.kept.find((p) => p.spanContext().spanId === spanId)?.parentSpanContext?.spanId);
    for (const delivery of retried) expect(sendOf(delivery.spanId)?.status.code).not.toBe(2);
    expect(await tracing.openSpansAfterDrain()).toBe(0);
    // One `send` span per send() call, however often kafkajs retried the request inside it;
    // each failed attempt of the retried send an ERROR span.
    expect(tracing.counter.endedNamed(`send ${traced.topic}`)).toBe(traced.load.calls() + traced.retries[0]!);
    expect(Object.values(tracing.counter.errorsOf(`send ${traced.topic}`)).reduce((a, b) => a + b, 0)).toBe(traced.retries[0]! - 1 + traced.ledger.producerErrors.length);
    expect(tracing.counter.endedNamed(`process ${traced.topic}`)).toBe(check.deliveries);
  }, 600_000);

  it('a consumer of a three-member group dies (SIGKILL): the group rebalances, nothing lost, redeliveries traced', async () => {
    tracing.reset();
    const admin = kafkaFor('raw').admin();
    await admin.connect();
    const sides = [await rebalanceSide('raw', admin), await rebalanceSide('traced', admin)] as const;
    const [raw, traced] = sides;

    // Every member has partitions: the one that will die has handled messages.
    expect(await waitUntil(() => sides.every((s) => s.childIds.size >= 100 && s.ledger.received.size >= 300), 120_000)).toBe(true);
    const joinsBefore = sides.map((s) => s.ledger.count('group_join'));
    const receivedBefore = sides.map((s) => s.ledger.received.size);
    for (const side of sides) side.child.kill('SIGKILL');
    await Promise.all(sides.map((s) => new Promise((resolve) => (s.child.exitCode !== null || s.child.signalCode !== null ? resolve(undefined) : s.child.once('exit', resolve)))));
    // The survivors rejoin (the group coordinator drops the dead member after its session) and
    // take its partitions over: the load goes on being consumed.
    expect(await waitUntil(() => sides.every((s, i) => s.ledger.count('group_join') >= joinsBefore[i]! + 2 && s.ledger.received.size >= receivedBefore[i]! + 600), 120_000)).toBe(true);

    await Promise.all(sides.map((s) => s.load.stop()));
    const drained = await waitUntil(() => sides.every((s) => s.ledger.allAckedReceived()), 120_000);
    await Promise.all(sides.flatMap((s) => [s.producer.disconnect(), ...s.consumers.map((c) => c.disconnect())]));
    await admin.disconnect();
    const check = tracing.check(traced.topic);
    const inChild = (s: (typeof sides)[number]) => s.childIds.size;
    console.info(`[cluster] Kafka consumer death: raw ${JSON.stringify({ ...account(raw.ledger), byDeadMember: inChild(raw), joins: raw.ledger.count('group_join') })} | traced ${JSON.stringify({ ...account(traced.ledger), byDeadMember: inChild(traced), joins: traced.ledger.count('group_join') })}; traces ${JSON.stringify({ ...check, problems: check.problems.length })}`);

    expect(drained).toBe(true);
    expect(raw.ledger.lost()).toEqual([]);
    expect(traced.ledger.lost()).toEqual([]);
    // What the dead member handled (it committed nothing) came again to a survivor, for both.
    for (const side of sides) expect([...side.childIds.keys()].filter((id) => side.ledger.received.get(id)! < 2)).toEqual([]);
    expect(check.redeliveries).toBeGreaterThanOrEqual(traced.childIds.size);
    expect(check.problems.slice(0, 10)).toEqual([]);
    expect(check.deliveries).toBe([...traced.ledger.received.values()].reduce((a, b) => a + b, 0));
    expect(await tracing.openSpansAfterDrain()).toBe(0);
    expect(tracing.counter.endedNamed(`send ${traced.topic}`)).toBe(traced.load.calls());
    expect(tracing.counter.endedNamed(`process ${traced.topic}`)).toBe(tracing.deliveries.length);
  }, 600_000);
});
