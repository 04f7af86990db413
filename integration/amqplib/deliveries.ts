// Shared by settle.test.ts and unsettled.test.ts: messages delivered to a traced consumer and
// left unsettled, and the process spans that end for them.
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { collector, uniqueName, type Tracing } from './support.js';

export interface Delivered {
  readonly channel: Channel;
  readonly queue: string;
  readonly messages: ConsumeMessage[];
  /** The ids (`m1`…) of the messages whose process span has ended, sorted. */
  ended(): string[];
}

/** Publishes `count` messages (`m1`…) on a new channel of `connection`; waits until all are delivered, unsettled. */
export async function deliver(tracing: Tracing, connection: ChannelModel, count: number): Promise<Delivered> {
  const channel = await connection.createChannel();
  channel.on('error', () => undefined);
  const queue = uniqueName('q');
  await channel.assertQueue(queue, { exclusive: true });
  await channel.prefetch(count);
  const received = collector<ConsumeMessage>(count);
  await channel.consume(queue, (message) => message && received.add(message));
  for (let i = 1; i <= count; i++) channel.sendToQueue(queue, Buffer.from(`m${i}`), { messageId: `m${i}` });
  const messages = await received.all;
  const ended = () =>
    tracing
      .spansNamed(`process ${queue}`)
      .map((span) => String(span.attributes['messaging.message.id']))
      .sort();
  return { channel, queue, messages, ended };
}

/** The ended process span of message `id` on `queue`. */
export function processSpan(tracing: Tracing, queue: string, id: string): ReadableSpan {
  const span = tracing.spansNamed(`process ${queue}`).find((s) => s.attributes['messaging.message.id'] === id);
  if (span === undefined) throw new Error(`no ended process span for ${id}`);
  return span;
}

/** A span's events as [name, attributes] pairs. */
export const events = (span: ReadableSpan) => span.events.map((event) => [event.name, event.attributes]);

/** The settle event tracehop adds when a message is settled. */
export const settleEvent = (operation: string, requeue?: boolean) => [
  operation,
  {
    'messaging.operation.name': operation,
    'messaging.operation.type': 'settle',
    ...(requeue === undefined ? {} : { 'tracehop.requeue': requeue }),
  },
];
