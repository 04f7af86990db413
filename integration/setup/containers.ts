import type { BrokerEndpoints } from './endpoints.js';

/** Something started for the tests that must be stopped afterwards. */
export interface Started {
  readonly endpoints: BrokerEndpoints;
  stop(): Promise<void>;
}

/** Whether a container runtime (a Docker engine, Podman…) answers. */
export async function containerRuntimeAnswers(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

// Same broker versions as the native ones (integration/brokers/versions.env).
const KAFKA_IMAGE = 'apache/kafka:3.9.2';
const RABBITMQ_IMAGE = 'rabbitmq:3.13-alpine';
const NSQ_IMAGE = 'nsqio/nsq:v1.3.0';

/** Starts the three brokers as containers (testcontainers 11.x). */
export async function startContainers(): Promise<Started> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const { RabbitMQContainer } = await import('@testcontainers/rabbitmq');
  const [kafka, rabbit, nsqd] = await Promise.all([
    new KafkaContainer(KAFKA_IMAGE).start(),
    new RabbitMQContainer(RABBITMQ_IMAGE).start(),
    new GenericContainer(NSQ_IMAGE)
      .withCommand(['/nsqd', '--broadcast-address=127.0.0.1'])
      .withExposedPorts(4150, 4151)
      .withWaitStrategy(Wait.forHttp('/ping', 4151))
      .start(),
  ]);
  return {
    endpoints: {
      source: 'testcontainers',
      kafkaBrokers: [`${kafka.getHost()}:${kafka.getMappedPort(9093)}`],
      amqpUrl: rabbit.getAmqpUrl(),
      nsqdTcpAddress: `${nsqd.getHost()}:${nsqd.getMappedPort(4150)}`,
      nsqdHttpAddress: `${nsqd.getHost()}:${nsqd.getMappedPort(4151)}`,
    },
    async stop() {
      await Promise.allSettled([kafka.stop(), rabbit.stop(), nsqd.stop()]);
    },
  };
}
