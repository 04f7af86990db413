import { randomUUID } from 'node:crypto';
import { connect, type Channel, type ChannelModel, type ConfirmChannel } from 'amqplib';
import * as tracehop from '@tracehop/amqplib';
import { inject } from 'vitest';
import type { AdapterDriver, AdapterModule, ContractOptions, Pipe } from '../driver.js';

export const amqplibDriver: AdapterDriver = {
  name: 'amqplib',
  packageName: '@tracehop/amqplib',
  userHeaders: true,
  explicitSettlement: true,
  processSpanName: (pipe) => `process ${(pipe as AmqpPipe).queue}`,
  async open(options: ContractOptions, module: AdapterModule = tracehop as unknown as AdapterModule): Promise<Pipe> {
    const instrumentConnection = module.instrumentConnection as typeof tracehop.instrumentConnection;
    // Connected (and its channels created) in the active context: the ambient context of
    // amqplib's socket callbacks is whatever was active here.
    const raw = await connect(inject('brokers').amqpUrl);
    const connection = instrumentConnection(raw, options);
    // A confirm channel: `publish` resolves once the broker has the message, as a Kafka send
    // resolves at its ack and an NSQ publish at nsqd's OK — a backlog published is in the queue.
    const publisher = await connection.createConfirmChannel();
    const consumer = await connection.createChannel();
    // A prefetch limit, as production consumers set: the queue's ready count is then its backlog.
    await consumer.prefetch(20);
    const queue = `contract-${randomUUID()}`;
    await publisher.assertQueue(queue, { autoDelete: false, durable: false });
    return new AmqpPipe(raw, queue, publisher, consumer, connection);
  },
};

class AmqpPipe implements Pipe {
  constructor(
    readonly connection: ChannelModel,
    readonly queue: string,
    readonly publisher: ConfirmChannel,
    readonly consumer: Channel,
    readonly traced: ChannelModel,
  ) {}

  rewrap(module: AdapterModule): boolean {
    return (module.instrumentConnection as typeof tracehop.instrumentConnection)(this.connection) === this.traced;
  }

  async publish(payload: string, userHeaders?: Record<string, unknown>): Promise<void> {
    await new Promise<void>((resolve, reject) =>
      this.publisher.sendToQueue(this.queue, Buffer.from(payload), userHeaders === undefined ? {} : { headers: userHeaders }, (error) =>
        error ? reject(error) : resolve(),
      ),
    );
  }

  async consume(handler: Parameters<Pipe['consume']>[0]): Promise<void> {
    await this.consumer.consume(this.queue, (message) => {
      if (message === null) return;
      const settle = () => this.consumer.ack(message);
      const result = handler({ payload: message.content.toString(), settle });
      if (result instanceof Promise) result.catch(() => undefined);
    });
  }

  async captureRawHeaders(publish: () => Promise<void>): Promise<Record<string, string>> {
    const raw = await this.connection.createChannel();
    const seen = new Promise<Record<string, string>>((resolve) => {
      void raw.consume(
        this.queue,
        (message) => {
          if (message === null) return;
          const headers: Record<string, string> = {};
          for (const [key, value] of Object.entries(message.properties.headers ?? {})) headers[key] = String(value);
          resolve(headers);
        },
        { noAck: true },
      );
    });
    await publish();
    const headers = await seen;
    await raw.close();
    return headers;
  }

  async close(): Promise<void> {
    await this.consumer.close();
    await this.publisher.deleteQueue(this.queue);
    await this.connection.close();
  }
}
