import { randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import { expect, inject, it } from 'vitest';

const { amqpUrl } = inject('brokers');

it('carries a message and its headers through the real RabbitMQ broker', async () => {
  const connection = await connect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    const queue = `smoke-${randomUUID()}`;
    await channel.assertQueue(queue, { exclusive: true });
    channel.sendToQueue(queue, Buffer.from('hello rabbit'), { headers: { 'x-smoke': 'yes' } });
    const received = await new Promise<{ body: string; header: unknown }>((resolve) => {
      void channel.consume(queue, (message) => {
        if (message === null) return;
        channel.ack(message);
        resolve({ body: message.content.toString(), header: message.properties.headers?.['x-smoke'] });
      });
    });
    expect(received).toEqual({ body: 'hello rabbit', header: 'yes' });
    expect(connection.connection.serverProperties.product).toBe('RabbitMQ');
  } finally {
    await connection.close();
  }
});
