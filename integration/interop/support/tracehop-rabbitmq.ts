import type { SpanContext } from '@opentelemetry/api';
import { instrumentChannel } from '@tracehop/amqplib';
import { connect, type ChannelModel } from 'amqplib';
import { captureActive, Collector, type TracehopSide } from './tracehop-side.js';

/** tracehop's RabbitMQ side: amqplib wrapped by @tracehop/amqplib, default exchange, one queue per test. */
export function tracehopRabbit(url: string): TracehopSide {
  const connection: Promise<ChannelModel> = connect(url);
  const queues: string[] = [];

  return {
    broker: 'rabbitmq',
    peerFlags: ['-amqp', url],
    async prepare(queue) {
      const channel = await (await connection).createChannel();
      // The Go peer declares its queues with the same arguments: non-durable, shared, kept.
      await channel.assertQueue(queue, { durable: false, exclusive: false, autoDelete: false });
      queues.push(queue);
      await channel.close();
    },
    async publish(queue, body, options) {
      let injected: SpanContext | undefined;
      // A confirm channel per message: the span ends at the broker's confirm, and a channel
      // keeps the options it was first wrapped with, so each publish gets its own hook.
      const channel = instrumentChannel(await (await connection).createConfirmChannel(), {
        ...options,
        publishHook: (span) => (injected = span.spanContext()),
      });
      channel.sendToQueue(queue, Buffer.from(body));
      await channel.waitForConfirms();
      await channel.close();
      if (injected === undefined) throw new Error('the tracehop RabbitMQ channel made no recording span');
      return injected;
    },
    async consume(queue, options, count, onMessage) {
      const collector = new Collector(count);
      const channel = instrumentChannel(await (await connection).createChannel(), options);
      await channel.consume(queue, (message) => {
        if (message === null) return;
        void (async () => {
          try {
            const received = captureActive(message.content.toString());
            await onMessage?.(received);
            collector.add(received);
            channel.ack(message);
          } catch (error) {
            collector.fail(error);
          }
        })();
      });
      return collector;
    },
    async close() {
      const model = await connection;
      const channel = await model.createChannel();
      for (const queue of queues) await channel.deleteQueue(queue).catch(() => undefined);
      await model.close();
    },
  };
}
