// The microservice transport both services use, chosen by configuration (TRANSPORT=kafka|rmq).
import { Transport, type KafkaOptions, type RmqOptions } from '@nestjs/microservices';

export const ORDERS_PATTERN = process.env.ORDERS_PATTERN ?? 'orders.created';

export function ordersTransport(): KafkaOptions | RmqOptions {
  if (process.env.TRANSPORT === 'rmq') {
    return {
      transport: Transport.RMQ,
      options: { urls: [process.env.AMQP_URL ?? 'amqp://127.0.0.1'], queue: ORDERS_PATTERN, queueOptions: { durable: false } },
    };
  }
  return {
    transport: Transport.KAFKA,
    options: {
      client: { clientId: 'orders', brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',') },
      consumer: { groupId: `orders-${ORDERS_PATTERN}` },
      subscribe: { fromBeginning: true },
      producerOnlyMode: true,
    },
  };
}
