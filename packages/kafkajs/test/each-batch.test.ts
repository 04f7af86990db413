import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace, type SpanContext } from '@opentelemetry/api';
import { beforeEach, describe, expect, it } from 'vitest';
import { instrumentConsumer, withMessageContext, type KafkaInstrumentationOptions } from '../src/index.js';
import { createTestTracing, parentSpanId } from '../../core/test/support/otel.js';
import { PRODUCER_CONTEXT, batchPayload, fakeConsumer, inboundHeaders, kafkaMessage } from './support/kafka-fakes.js';

const tracing = createTestTracing();
beforeEach(() => tracing.reset());

const base: KafkaInstrumentationOptions = { propagator: 'tracecontext,baggage', tracerProvider: tracing.provider };
const SECOND: SpanContext = { ...PRODUCER_CONTEXT, traceId: '11111111111111111111111111111111', spanId: '2222222222222222' };

function threeMessages() {
  return [
    kafkaMessage({ offset: '10', headers: inboundHeaders(PRODUCER_CONTEXT, { tenant: 'acme' }) }),
    kafkaMessage({ offset: '11', headers: { 'x-user': Buffer.from('no context') } }),
    kafkaMessage({ offset: '12', headers: inboundHeaders(SECOND, { tenant: 'globex' }) }),
  ];
}

type Work = (payload: ReturnType<typeof batchPayload>) => Promise<void>;

async function consumeBatch(options: KafkaInstrumentationOptions, work: Work, messages = threeMessages()) {
  const raw = fakeConsumer();
  await instrumentConsumer(raw, options).run({ eachBatch: work });
  raw.emit('consumer.group_join', { groupId: 'billing' });
  await raw.deliverBatch('orders', 1, messages);
  return tracing.spans();
}

describe('eachBatch', () => {
  it('one CONSUMER span with the message count and a link per message that carries a context', async () => {
    let activeSpanId: string | undefined;
    const spans = await consumeBatch(base, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      activeSpanId = trace.getSpanContext(context.active())?.spanId;
    });
    expect(spans).toHaveLength(1);
    const [span] = spans;
    expect(span!.name).toBe('process orders');
    expect(span!.kind).toBe(SpanKind.CONSUMER);
    expect(parentSpanId(span!)).toBeUndefined();
    expect(activeSpanId).toBe(span!.spanContext().spanId);
    expect(span!.attributes).toEqual({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.destination.name': 'orders',
      'messaging.destination.partition.id': '1',
      'messaging.consumer.group.name': 'billing',
      'messaging.batch.message_count': 3,
    });
    expect(span!.links).toEqual([
      { context: { ...PRODUCER_CONTEXT, isRemote: true }, attributes: { 'messaging.kafka.offset': 10 } },
      { context: { ...SECOND, isRemote: true }, attributes: { 'messaging.kafka.offset': 12 } },
    ]);
  });

  it('inbound ignore: no links', async () => {
    const [span] = await consumeBatch({ ...base, inbound: 'ignore' }, async () => undefined);
    expect(span!.links).toEqual([]);
    expect(span!.attributes['messaging.batch.message_count']).toBe(3);
  });

  it('a throwing handler: ERROR span, the same error passed on', async () => {
    const error = new RangeError('batch failed');
    const raw = fakeConsumer();
    await instrumentConsumer(raw, base).run({
      eachBatch: async () => {
        throw error;
      },
    });
    await expect(raw.deliverBatch('orders', 0, threeMessages())).rejects.toBe(error);
    expect(tracing.spans()[0]!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'batch failed' });
  });
});

describe('withMessageContext', () => {
  interface Seen {
    traceId?: string;
    spanId?: string;
    tenant?: string;
  }
  const observe = (): Seen => ({
    traceId: trace.getSpanContext(context.active())?.traceId,
    spanId: trace.getSpanContext(context.active())?.spanId,
    tenant: propagation.getBaggage(context.active())?.getEntry('tenant')?.value,
  });

  it('restores each message context (parent policy) and returns what fn returns', async () => {
    const seen: Seen[] = [];
    const results: unknown[] = [];
    const [batchSpan] = await consumeBatch(base, async ({ batch }) => {
      for (const message of batch.messages) {
        results.push(
          await withMessageContext(batch, message, async () => {
            await new Promise((resolve) => setImmediate(resolve));
            seen.push(observe());
            return message.offset;
          }),
        );
      }
    });
    expect(results).toEqual(['10', '11', '12']);
    expect(seen).toEqual([
      { traceId: PRODUCER_CONTEXT.traceId, spanId: PRODUCER_CONTEXT.spanId, tenant: 'acme' },
      // No context in the message: the work stays in the batch span.
      { traceId: batchSpan!.spanContext().traceId, spanId: batchSpan!.spanContext().spanId, tenant: undefined },
      { traceId: SECOND.traceId, spanId: SECOND.spanId, tenant: 'globex' },
    ]);
  });

  it('span: true, parent policy: a process span per message, child of its producer, linked to the batch', async () => {
    const spans = await consumeBatch(base, async ({ batch }) => {
      for (const message of batch.messages) await withMessageContext(batch, message, async () => undefined, { span: true });
    });
    const batchSpan = spans.find((span) => span.attributes['messaging.batch.message_count'] !== undefined)!;
    const perMessage = spans.filter((span) => span !== batchSpan);
    expect(perMessage.map((span) => span.attributes['messaging.kafka.offset'])).toEqual([10, 11, 12]);
    expect(perMessage.map((span) => span.name)).toEqual(['process orders', 'process orders', 'process orders']);
    expect(perMessage.map(parentSpanId)).toEqual([PRODUCER_CONTEXT.spanId, batchSpan.spanContext().spanId, SECOND.spanId]);
    expect(perMessage.map((span) => span.links.map((link) => link.context.spanId))).toEqual([
      [batchSpan.spanContext().spanId],
      [],
      [batchSpan.spanContext().spanId],
    ]);
    expect(perMessage.every((span) => span.attributes['messaging.batch.message_count'] === undefined)).toBe(true);
  });

  it('span: true, link policy: children of the batch span, each linked to its producer', async () => {
    const spans = await consumeBatch({ ...base, inbound: 'link' }, async ({ batch }) => {
      for (const message of batch.messages) await withMessageContext(batch, message, () => undefined, { span: true });
    });
    const batchSpan = spans.find((span) => span.attributes['messaging.batch.message_count'] !== undefined)!;
    const perMessage = spans.filter((span) => span !== batchSpan);
    expect(perMessage.map(parentSpanId)).toEqual(Array(3).fill(batchSpan.spanContext().spanId));
    expect(perMessage.map((span) => span.links.map((link) => link.context.spanId))).toEqual([[PRODUCER_CONTEXT.spanId], [], [SECOND.spanId]]);
  });

  it('span: true, ignore policy: children of the batch span, no links, baggage per its own policy', async () => {
    const tenants: (string | undefined)[] = [];
    const spans = await consumeBatch({ ...base, inbound: 'ignore' }, async ({ batch }) => {
      for (const message of batch.messages) {
        await withMessageContext(batch, message, () => tenants.push(observe().tenant), { span: true });
      }
    });
    const batchSpan = spans.find((span) => span.attributes['messaging.batch.message_count'] !== undefined)!;
    const perMessage = spans.filter((span) => span !== batchSpan);
    expect(perMessage.map(parentSpanId)).toEqual(Array(3).fill(batchSpan.spanContext().spanId));
    expect(perMessage.every((span) => span.links.length === 0)).toBe(true);
    expect(tenants).toEqual(['acme', undefined, 'globex']);
  });

  it('records a per-message error on its span and rethrows it unchanged', async () => {
    const error = new Error('one bad message');
    let caught: unknown;
    const spans = await consumeBatch(base, async ({ batch }) => {
      caught = await Promise.resolve(
        withMessageContext(batch, batch.messages[0]!, async () => {
          throw error;
        }, { span: true }),
      ).catch((reason: unknown) => reason);
    });
    expect(caught).toBe(error);
    const failed = spans.filter((span) => span.status.code === SpanStatusCode.ERROR);
    expect(failed.map((span) => span.attributes['messaging.kafka.offset'])).toEqual([10]);
  });

  it('spans: false restores the message context without any span', async () => {
    const seen: Seen[] = [];
    const spans = await consumeBatch({ ...base, spans: false }, async ({ batch }) => {
      for (const message of batch.messages) withMessageContext(batch, message, () => seen.push(observe()), { span: true });
    });
    expect(spans).toEqual([]);
    expect(seen.map((entry) => entry.spanId)).toEqual([PRODUCER_CONTEXT.spanId, undefined, SECOND.spanId]);
  });

  it('runs fn as is for a batch that no traced consumer handed over', () => {
    const { batch } = batchPayload('orders', 0, threeMessages());
    const result = context.with(ROOT_CONTEXT, () => withMessageContext(batch, batch.messages[0]!, () => observe(), { span: true }));
    expect(result).toEqual({ traceId: undefined, spanId: undefined, tenant: undefined });
    expect(tracing.spans()).toEqual([]);
  });
});
