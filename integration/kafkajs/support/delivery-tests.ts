// Kafka's delivery machinery with tracing on: a consumer group over partitions, transactions,
// eachBatch, and a failing handler compared with an untraced one.
import { randomUUID } from 'node:crypto';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { expect, it } from 'vitest';
import { parentSpanId } from '../../../packages/core/test/support/otel.js';
import type { KafkaFormat } from './formats.js';
import { endedSpan, headersAsText, inSpan, until } from './harness.js';
import type { SuiteWorld } from './suite-world.js';

export function deliveryTests(world: () => SuiteWorld, format: KafkaFormat): void {
  it('a 3-partition topic and a group of two consumers: each message once, parented by its send', async () => {
    const w = world();
    // Both members hold disjoint, non-empty parts of the 3 partitions: the group is balanced.
    const assignments = await until(() => {
      const [a, b] = w.group.assignments;
      if (!a?.length || !b?.length || a.some((p) => b.includes(p)) || a.length + b.length !== 3) return undefined;
      return [a, b] as const;
    }, 'the group of two to balance');
    const keys = [0, 1, 2, 3, 4, 5].map((index) => ({ key: `${randomUUID()}-${index}`, partition: index % 3 }));
    const { span: checkout } = await inSpan(w.producerTracing, undefined, async () => {
      for (const { key, partition } of keys) await w.producer.send({ topic: w.topics.parts, messages: [{ key, value: key, partition }] });
    });
    const sends = w.producerTracing.spans().filter((span) => parentSpanId(span) === checkout.spanContext().spanId);
    for (const [index, { key, partition }] of keys.entries()) {
      const seen = await w.group.inbox.key(key);
      expect(seen.partition).toBe(partition);
      const member = w.group.members[0].includes(key) ? 0 : 1;
      expect(assignments[member]).toContain(partition);
      const span = await endedSpan(w.group.tracing, seen.spanId);
      expect(parentSpanId(span)).toBe(sends[index]!.spanContext().spanId);
      expect(span.attributes['messaging.destination.partition.id']).toBe(String(partition));
      expect(span.attributes['messaging.consumer.group.name']).toBe(w.group.groupId);
    }
    expect(keys.map(({ key }) => w.group.inbox.byKey(key).length)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(w.group.members.map((member) => member.length > 0)).toEqual([true, true]);
  });

  it('a committed transaction delivers its context; an aborted one reaches no read_committed consumer', async () => {
    const w = world();
    const [committed, aborted, after] = [randomUUID(), randomUUID(), randomUUID()];
    const offsetsGroup = `${w.parent.groupId}-txn-offsets`;
    const { span: checkout } = await inSpan(w.producerTracing, undefined, async () => {
      const first = await w.txProducer.transaction();
      await first.send({ topic: w.topics.tx, messages: [{ key: committed, value: 'committed' }] });
      await first.sendOffsets({ consumerGroupId: offsetsGroup, topics: [{ topic: w.topics.tx, partitions: [{ partition: 0, offset: '1' }] }] });
      await first.commit();
      const second = await w.txProducer.transaction();
      await second.send({ topic: w.topics.tx, messages: [{ key: aborted, value: 'aborted' }] });
      await second.abort();
      expect(second.isActive()).toBe(false);
    });
    await w.producer.send({ topic: w.topics.tx, messages: [{ key: after, value: 'after' }] });
    const [committedSend, abortedSend] = w.producerTracing.spans().filter((span) => parentSpanId(span) === checkout.spanContext().spanId);
    expect([committedSend!.name, abortedSend!.name]).toEqual([`send ${w.topics.tx}`, `send ${w.topics.tx}`]);

    // The wire reader is read_uncommitted: both records are on the log, each with its context.
    expect(headersAsText((await w.wire.key(committed)).headers)).toEqual(format.wire(committedSend!.spanContext()));
    expect(headersAsText((await w.wire.key(aborted)).headers)).toEqual(format.wire(abortedSend!.spanContext()));
    const seen = await w.parent.inbox.key(committed);
    expect(parentSpanId(await endedSpan(w.parent.tracing, seen.spanId))).toBe(committedSend!.spanContext().spanId);
    // The read_committed consumer has passed the aborted record's offset without seeing it.
    await w.parent.inbox.key(after);
    expect(w.parent.inbox.byKey(aborted)).toEqual([]);
    // sendOffsets went through the traced transaction to the broker unchanged.
    const offsets = await w.admin.fetchOffsets({ groupId: offsetsGroup, topics: [w.topics.tx] });
    expect(offsets).toEqual([{ topic: w.topics.tx, partitions: [{ partition: 0, offset: '1', metadata: null }] }]);
  });

  it('eachBatch: one span linking every message, and per-message spans under each producer', async () => {
    const w = world();
    const keys = [randomUUID(), randomUUID(), randomUUID()];
    const { span: checkout } = await inSpan(w.producerTracing, undefined, () =>
      w.producer.send({ topic: w.topics.batch, messages: keys.map((key) => ({ key, value: key })) }),
    );
    const creates = w.producerTracing.spans().filter((span) => parentSpanId(span) === checkout.spanContext().spanId && span.name.startsWith('create'));
    expect(creates).toHaveLength(3);
    const seen = await Promise.all(keys.map((key) => w.batch.inbox.key(key)));
    const batchSpans = await until(() => {
      const spans = w.batch.tracing.spans().filter((span) => span.attributes['messaging.batch.message_count'] !== undefined);
      return spans.reduce((sum, span) => sum + Number(span.attributes['messaging.batch.message_count']), 0) === 3 && spans;
    }, 'the batch spans');
    expect(w.batch.batchSizes.reduce((a, b) => a + b, 0)).toBe(3);
    expect(batchSpans.map((span) => span.kind)).toEqual(batchSpans.map(() => SpanKind.CONSUMER));
    expect(batchSpans.flatMap((span) => span.links)).toEqual(
      creates.map((create, index) => ({ context: { ...create.spanContext(), isRemote: true }, attributes: { 'messaging.kafka.offset': Number(seen[index]!.offset) } })),
    );
    for (const [index, create] of creates.entries()) {
      expect(headersAsText((await w.wire.key(keys[index]!)).headers)).toEqual(format.wire(create.spanContext()));
      // withMessageContext(…, { span: true }): child of the message's producer, linked to its batch.
      const perMessage = await endedSpan(w.batch.tracing, seen[index]!.spanId);
      expect(seen[index]!.traceId).toBe(checkout.spanContext().traceId);
      expect(parentSpanId(perMessage)).toBe(create.spanContext().spanId);
      expect(perMessage.links.map((link) => link.context.spanId)).toHaveLength(1);
      expect(batchSpans.map((span) => span.spanContext().spanId)).toContain(perMessage.links[0]!.context.spanId);
    }
  });

  it('a throwing handler: ERROR spans and exactly the redelivery of an untraced consumer', async () => {
    const w = world();
    const values = ['ok-1', 'poison', 'ok-2'];
    await inSpan(w.producerTracing, undefined, () => w.producer.send({ topic: w.topics.fail, messages: values.map((value) => ({ value })) }));
    const { traced, raw } = w.failing;
    await until(() => traced.deliveries.includes('ok-2') && raw.deliveries.includes('ok-2'), 'both consumers to get past the poison message');
    expect(raw.deliveries).toEqual(['ok-1', 'poison', 'poison', 'poison', 'ok-2']);
    expect(traced.deliveries).toEqual(raw.deliveries);
    // kafkajs logged, for each failure, the very object the handler threw.
    for (const side of [traced, raw]) {
      expect(side.thrown).toHaveLength(2);
      expect(side.logged).toHaveLength(2);
      side.logged.forEach((error, index) => expect(error).toBe(side.thrown[index]));
    }
    const spans = await until(() => {
      const found = traced.tracing.spans().filter((span) => span.name === `process ${w.topics.fail}`);
      return found.length === 5 && found;
    }, 'five process spans');
    expect(spans.map((span) => span.status.code)).toEqual([
      SpanStatusCode.UNSET,
      SpanStatusCode.ERROR,
      SpanStatusCode.ERROR,
      SpanStatusCode.UNSET,
      SpanStatusCode.UNSET,
    ]);
    for (const [index, span] of [spans[1]!, spans[2]!].entries()) {
      expect(span.attributes['error.type']).toBe('PoisonError');
      expect(span.events.map((event) => [event.name, event.attributes?.['exception.message']])).toEqual([['exception', `poison #${index + 1}`]]);
    }
    const creates = w.producerTracing.spans().filter((span) => span.name === `create ${w.topics.fail}`);
    expect(spans.map((span) => parentSpanId(span))).toEqual([0, 1, 1, 1, 2].map((index) => creates[index]!.spanContext().spanId));
  });
}
