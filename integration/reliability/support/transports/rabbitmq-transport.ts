import { randomUUID } from 'node:crypto';
import { connect, type Channel, type ConsumeMessage } from 'amqplib';
import type { TracehopOptions } from '@tracehop/core';
import { instrumentChannel } from '@tracehop/amqplib';
import { textHeaders, type Received, type Transport } from './transport.js';

/** Consumes one message on `channel`, acks it, cancels the consumer. */
async function consumeFirst<T>(channel: Channel, queue: string, handle: (message: ConsumeMessage) => Promise<T>): Promise<T> {
  let tag = '';
  const result = await new Promise<Promise<T>>((resolve) => {
    void channel
      .consume(queue, (message) => {
        if (message === null) return;
        const handled = handle(message);
        channel.ack(message);
        resolve(handled);
      })
      .then((ok) => {
        tag = ok.consumerTag;
      });
  });
  await channel.cancel(tag);
  return result;
}

export async function rabbitmqTransport(url: string, tracing: TracehopOptions): Promise<Transport> {
  const connection = await connect(url);
  const raw = await connection.createConfirmChannel();
  const traced = instrumentChannel(await connection.createConfirmChannel(), tracing);
  const published = (channel: typeof raw, queue: string, body: string, headers: Record<string, unknown> | undefined) =>
    new Promise<void>((resolve, reject) => channel.sendToQueue(queue, Buffer.from(body), { headers }, (error) => (error ? reject(error) : resolve())));
  return {
    name: 'rabbitmq',
    async destination() {
      const queue = `reliability-trust-${randomUUID()}`;
      await raw.assertQueue(queue, { autoDelete: false, durable: false });
      return queue;
    },
    sendRaw: (queue, headers, body) => published(raw, queue, body, headers),
    sendTraced: (queue, body, headers) => published(traced, queue, body, headers),
    async consumeOne<T>(queue: string, options: TracehopOptions, handler: (message: Received) => T | Promise<T>) {
      const channel = instrumentChannel(await connection.createChannel(), { ...tracing, ...options });
      const result = await consumeFirst(channel, queue, async (message) => handler({ body: message.content.toString(), headers: textHeaders(message.properties.headers) }));
      await channel.close();
      return result;
    },
    async receiveRaw(queue) {
      const channel = await connection.createChannel();
      const headers = await consumeFirst(channel, queue, async (message) => textHeaders(message.properties.headers));
      await channel.deleteQueue(queue);
      await channel.close();
      return headers;
    },
    async close() {
      await connection.close();
    },
  };
}
