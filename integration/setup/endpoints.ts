/** Where the integration suite finds its brokers; shared from global setup to every test file. */
export interface BrokerEndpoints {
  /** How the brokers were found: given by the environment, testcontainers, or native. */
  readonly source: 'env' | 'testcontainers' | 'native';
  /** Kafka bootstrap servers, e.g. `['127.0.0.1:9092']`. */
  readonly kafkaBrokers: string[];
  /** An AMQP URL, e.g. `amqp://guest:guest@127.0.0.1:5672`. */
  readonly amqpUrl: string;
  /** nsqd's TCP address, `host:port`. */
  readonly nsqdTcpAddress: string;
  /** nsqd's HTTP address, `host:port`. */
  readonly nsqdHttpAddress: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    brokers: BrokerEndpoints;
  }
}

export const NATIVE_ENDPOINTS: Omit<BrokerEndpoints, 'source'> = {
  kafkaBrokers: ['127.0.0.1:9092'],
  amqpUrl: 'amqp://guest:guest@127.0.0.1:5672',
  nsqdTcpAddress: '127.0.0.1:4150',
  nsqdHttpAddress: '127.0.0.1:4151',
};
