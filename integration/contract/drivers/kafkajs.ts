import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import * as tracehop from '@tracehop/kafkajs';
import { inject } from 'vitest';
import type { AdapterDriver, AdapterModule, ContractOptions, Pipe } from '../driver.js';

const kafka = () => new Kafka({ clientId: 'contract', brokers: inject('brokers').kafkaBrokers, logLevel: logLevel.NOTHING });

function text(value: Buffer | string | undefined | null): string {
  return value === undefined || value === null ? '' : value.toString();
}

export const kafkaDriver: AdapterDriver = {
  name: 'kafkajs',
  packageName: '@tracehop/kafkajs',
  userHeaders: true,
  explicitSettlement: false,
  processSpanName: (pipe) => `process ${(pipe as KafkaPipe).topic}`,
  async open(options: ContractOptions, module: AdapterModule = tracehop as unknown as AdapterModule): Promise<Pipe> {
    const instrumentProducer = module.instrumentProducer as typeof tracehop.instrumentProducer;
    const instrumentConsumer = module.instrumentConsumer as typeof tracehop.instrumentConsumer;
    const client = kafka();
    const topic = `contract-${randomUUID()}`;
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const rawProducer = client.producer();
    const rawConsumer = client.consumer({ groupId: `contract-${randomUUID()}` });
    const producer = instrumentProducer(rawProducer, options);
    const consumer = instrumentConsumer(rawConsumer, options);
    await producer.connect();
    await consumer.connect();
    return new KafkaPipe(client, topic, producer, consumer, [rawProducer, rawConsumer]);
  },
};

class KafkaPipe implements Pipe {
  constructor(
    readonly client: Kafka,
    readonly topic: string,
    readonly producer: Producer,
    readonly consumer: Consumer,
    readonly raw: [Producer, Consumer],
  ) {}

  rewrap(module: AdapterModule): boolean {
    const producer = (module.instrumentProducer as typeof tracehop.instrumentProducer)(this.raw[0]);
    const consumer = (module.instrumentConsumer as typeof tracehop.instrumentConsumer)(this.raw[1]);
    return producer === this.producer && consumer === this.consumer;
  }

  async publish(payload: string, userHeaders?: Record<string, unknown>): Promise<void> {
    await this.producer.send({ topic: this.topic, messages: [{ value: payload, headers: userHeaders as never }] });
  }

  async consume(handler: Parameters<Pipe['consume']>[0]): Promise<void> {
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        await handler({ payload: text(message.value), settle: () => undefined });
      },
    });
  }

  async captureRawHeaders(publish: () => Promise<void>): Promise<Record<string, string>> {
    const raw = this.client.consumer({ groupId: `contract-raw-${randomUUID()}` });
    await raw.connect();
    await raw.subscribe({ topic: this.topic, fromBeginning: true });
    const seen = new Promise<Record<string, string>>((resolve) => {
      void raw.run({
        eachMessage: async ({ message }) => {
          const headers: Record<string, string> = {};
          for (const [key, value] of Object.entries(message.headers ?? {})) headers[key] = text(value as Buffer);
          resolve(headers);
        },
      });
    });
    await publish();
    const headers = await seen;
    await raw.disconnect();
    return headers;
  }

  async close(): Promise<void> {
    await this.consumer.disconnect();
    await this.producer.disconnect();
  }
}
