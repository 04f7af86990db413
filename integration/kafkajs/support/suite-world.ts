// Everything one format's suite runs against, started once per test file: topics, a traced
// and an unwrapped producer, and every consumer group, joined concurrently (group joins are
// the slow part of a Kafka test, so there is one per role, not one per test).
import { randomUUID } from 'node:crypto';
import { instrumentConsumer, instrumentKafka, instrumentProducer, withMessageContext, type KafkaInstrumentationOptions } from '@tracehop/kafkajs';
import { Kafka, logLevel, type Admin, type Consumer, type EachMessagePayload, type Producer } from 'kafkajs';
import { createTracing as createTestTracing, type Tracing as TestTracing } from '../../support/tracing.js';
import type { KafkaFormat } from './formats.js';
import { Inbox, consumerConfig, errorCollector, observe, recordInto, startConsumer } from './harness.js';

/** Thrown by the failing handlers; its class name is what `error.type` must say. */
export class PoisonError extends Error {
  override name = 'PoisonError';
}

/** A consumer that records deliveries, with its own spans. */
export interface Role {
  readonly inbox: Inbox;
  readonly tracing: TestTracing;
  readonly groupId: string;
}

/** One side of the failing-handler comparison: what was delivered, thrown, and logged. */
export interface FailingSide {
  readonly deliveries: string[];
  readonly thrown: unknown[];
  /** The error objects kafkajs itself logged for the handler's failures. */
  readonly logged: unknown[];
}

export interface SuiteWorld {
  readonly brokers: string[];
  readonly kafka: Kafka;
  readonly topics: { main: string; second: string; parts: string; tx: string; batch: string; fail: string };
  readonly producerTracing: TestTracing;
  readonly producer: Producer;
  readonly rawProducer: Producer;
  readonly txProducer: Producer;
  readonly legacyProducers: ReadonlyArray<{ format: KafkaFormat; producer: Producer }>;
  readonly admin: Admin;
  /** Unwrapped, read_uncommitted: every record as it is on the log. */
  readonly wire: Inbox;
  readonly parent: Role;
  readonly link: Role;
  readonly ignore: Role;
  /** Two traced members of one group on the 3-partition topic. */
  readonly group: Role & {
    /** The keys each member processed. */
    readonly members: readonly [string[], string[]];
    /** Each member's latest partitions of the 3-partition topic (GROUP_JOIN). */
    readonly assignments: Array<number[] | undefined>;
  };
  readonly batch: Role & { readonly batchSizes: number[] };
  readonly failing: { readonly traced: FailingSide & { tracing: TestTracing }; readonly raw: FailingSide };
  stop(): Promise<void>;
}

/** Fails the first two deliveries of each `poison…` message, like a flaky downstream. */
function failingHandler(side: FailingSide) {
  const failures = new Map<string, number>();
  return async ({ message }: EachMessagePayload): Promise<void> => {
    const value = message.value?.toString() ?? '';
    side.deliveries.push(value);
    const failed = failures.get(value) ?? 0;
    if (value.startsWith('poison') && failed < 2) {
      failures.set(value, failed + 1);
      const error = new PoisonError(`${value} #${failed + 1}`);
      side.thrown.push(error);
      throw error;
    }
  };
}

export async function startSuiteWorld(format: KafkaFormat, brokers: string[]): Promise<SuiteWorld> {
  const id = randomUUID();
  const name = (role: string) => `tracehop-kafkajs-${format.name.split(' ')[0]}-${role}-${id}`;
  const topics = { main: name('main'), second: name('second'), parts: name('parts'), tx: name('tx'), batch: name('batch'), fail: name('fail') };
  const kafka = new Kafka({ clientId: 'tracehop-it', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: Object.values(topics).map((topic) => ({ topic, numPartitions: topic === topics.parts ? 3 : 1 })),
  });

  const common = { clientId: 'tracehop-it', serverAddress: brokers[0] };
  const producerTracing = createTestTracing();
  const producerOptions: KafkaInstrumentationOptions = { ...common, propagator: format.inject, tracerProvider: producerTracing.provider };
  const consumerOptions = (tracing: TestTracing, extra: KafkaInstrumentationOptions = {}): KafkaInstrumentationOptions => ({
    ...common,
    propagator: format.inject,
    extract: format.extract ?? format.inject,
    tracerProvider: tracing.provider,
    ...extra,
  });
  const role = (groupId: string): Role => ({ inbox: new Inbox(), tracing: createTestTracing(), groupId });

  const producer = instrumentProducer(kafka.producer(), producerOptions);
  const rawProducer = kafka.producer();
  const txProducer = instrumentProducer(
    kafka.producer({ transactionalId: name('tx-producer'), idempotent: true, maxInFlightRequests: 1 }),
    producerOptions,
  );
  const legacyProducers = (format.legacy ?? []).map((legacy) => ({
    format: legacy,
    producer: instrumentProducer(kafka.producer(), { ...producerOptions, propagator: legacy.inject }),
  }));

  const wire = new Inbox();
  const wireConsumer = kafka.consumer(consumerConfig(name('wire'), { readUncommitted: true }));
  const parent = role(name('parent'));
  const parentConsumer = instrumentConsumer(kafka.consumer(consumerConfig(parent.groupId, { readUncommitted: false })), consumerOptions(parent.tracing));
  const link = role(name('link'));
  const linkConsumer = instrumentConsumer(kafka.consumer(consumerConfig(link.groupId)), consumerOptions(link.tracing, { inbound: 'link', baggage: 'drop' }));
  const ignore = role(name('ignore'));
  const ignoreConsumer = instrumentConsumer(kafka.consumer(consumerConfig(ignore.groupId)), consumerOptions(ignore.tracing, { inbound: 'ignore', baggage: ['tenant'] }));

  const groupRole = role(name('group'));
  const group = { ...groupRole, members: [[], []] as [string[], string[]], assignments: [undefined, undefined] as Array<number[] | undefined> };
  // Through instrumentKafka: the group id comes from the consumer config.
  const tracedKafka = instrumentKafka(kafka, consumerOptions(group.tracing));
  const members = [0, 1].map((index) => {
    const member = tracedKafka.consumer(consumerConfig(group.groupId));
    member.on(member.events.GROUP_JOIN, ({ payload }) => {
      group.assignments[index] = [...(payload.memberAssignment[topics.parts] ?? [])].sort();
    });
    return member;
  });

  const batch = { ...role(name('batch')), batchSizes: [] as number[] };
  const batchConsumer = instrumentConsumer(kafka.consumer(consumerConfig(batch.groupId)), consumerOptions(batch.tracing));

  const tracedLog = errorCollector();
  const rawLog = errorCollector();
  const failing = {
    traced: { deliveries: [], thrown: [], logged: tracedLog.errors, tracing: createTestTracing() } as FailingSide & { tracing: TestTracing },
    raw: { deliveries: [], thrown: [], logged: rawLog.errors } as FailingSide,
  };
  const failKafka = (logCreator: typeof tracedLog.logCreator) => new Kafka({ clientId: 'tracehop-it', brokers, logLevel: logLevel.ERROR, logCreator });
  const tracedFailing = instrumentConsumer(failKafka(tracedLog.logCreator).consumer(consumerConfig(name('fail-traced'))), consumerOptions(failing.traced.tracing));
  const rawFailing = failKafka(rawLog.logCreator).consumer(consumerConfig(name('fail-raw')));

  const consumers: Consumer[] = [wireConsumer, parentConsumer, linkConsumer, ignoreConsumer, ...members, batchConsumer, tracedFailing, rawFailing];
  const producers: Producer[] = [producer, rawProducer, txProducer, ...legacyProducers.map((legacy) => legacy.producer)];
  await Promise.all([
    ...producers.map((p) => p.connect()),
    startConsumer(wireConsumer, [topics.main, topics.second, topics.tx, topics.batch], { eachMessage: recordInto(wire) }),
    startConsumer(parentConsumer, [topics.main, topics.second, topics.tx], { eachMessage: recordInto(parent.inbox) }),
    startConsumer(linkConsumer, [topics.main], { eachMessage: recordInto(link.inbox) }),
    startConsumer(ignoreConsumer, [topics.main], { eachMessage: recordInto(ignore.inbox) }),
    ...members.map((member, index) =>
      startConsumer(member, [topics.parts], {
        eachMessage: async (payload) => {
          const seen = await observe(payload);
          group.members[index]!.push(String(seen.key));
          group.inbox.push(seen);
        },
      }),
    ),
    startConsumer(batchConsumer, [topics.batch], {
      eachBatch: async ({ batch: received, resolveOffset }) => {
        batch.batchSizes.push(received.messages.length);
        for (const message of received.messages) {
          const seen = await withMessageContext(received, message, () => observe({ topic: received.topic, partition: received.partition, message }), { span: true });
          batch.inbox.push(seen);
          resolveOffset(message.offset);
        }
      },
    }),
    startConsumer(tracedFailing, [topics.fail], { eachMessage: failingHandler(failing.traced) }),
    startConsumer(rawFailing, [topics.fail], { eachMessage: failingHandler(failing.raw) }),
  ]);

  return {
    brokers,
    kafka,
    topics,
    producerTracing,
    producer,
    rawProducer,
    txProducer,
    legacyProducers,
    admin,
    wire,
    parent,
    link,
    ignore,
    group,
    batch,
    failing,
    async stop() {
      await Promise.allSettled([...consumers.map((c) => c.disconnect()), ...producers.map((p) => p.disconnect())]);
      await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
      await admin.disconnect();
    },
  };
}
