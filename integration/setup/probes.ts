import { connect as amqpConnect } from 'amqplib';
import { Kafka, logLevel } from 'kafkajs';
import type { BrokerEndpoints } from './endpoints.js';

/** Why a broker could not be used, naming it and saying how to fix it. */
export class BrokerUnavailableError extends Error {
  override name = 'BrokerUnavailableError';
}

function withTimeout<T>(what: string, ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function probeKafka(brokers: string[]): Promise<void> {
  const admin = new Kafka({ clientId: 'tracehop-probe', brokers, logLevel: logLevel.NOTHING, retry: { retries: 2 } }).admin();
  try {
    await withTimeout('Kafka', 15_000, admin.connect().then(() => admin.describeCluster()));
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function probeRabbit(url: string): Promise<void> {
  const connection = await withTimeout('RabbitMQ', 10_000, amqpConnect(url));
  await connection.close();
}

async function probeNsqd(httpAddress: string): Promise<void> {
  const response = await withTimeout('nsqd', 5_000, fetch(`http://${httpAddress}/ping`));
  if (!response.ok) throw new Error(`nsqd /ping answered ${response.status}`);
}

const HOW_TO_FIX: Record<string, string> = {
  native:
    'Start it with `pnpm brokers:up` (installs and starts Kafka, RabbitMQ and nsqd natively), or point the environment at a running broker',
  env: 'The environment names this broker, but it does not answer: start it, or unset the variable to use the native brokers',
  testcontainers: 'The container for it did not answer: check the container runtime',
};

/** Checks that every broker answers at protocol level; throws one error naming each that does not. */
export async function probeBrokers(endpoints: BrokerEndpoints): Promise<void> {
  const checks: Array<[string, string, () => Promise<void>]> = [
    ['Kafka', `${endpoints.kafkaBrokers.join(',')} (KAFKA_BROKERS)`, () => probeKafka(endpoints.kafkaBrokers)],
    ['RabbitMQ', `${endpoints.amqpUrl.replace(/\/\/[^@]*@/, '//')} (AMQP_URL)`, () => probeRabbit(endpoints.amqpUrl)],
    ['nsqd', `${endpoints.nsqdTcpAddress}, HTTP ${endpoints.nsqdHttpAddress} (NSQD_TCP_ADDRESS, NSQD_HTTP_ADDRESS)`, () => probeNsqd(endpoints.nsqdHttpAddress)],
  ];
  const results = await Promise.allSettled(checks.map(([, , check]) => check()));
  const failures = results.flatMap((result, index) => {
    if (result.status === 'fulfilled') return [];
    const [name, address] = checks[index]!;
    const reason = result.reason instanceof Error ? result.reason.message : String(result.reason);
    return [`  - ${name} is not reachable at ${address}: ${reason}`];
  });
  if (failures.length > 0) {
    throw new BrokerUnavailableError(
      [`The integration suite needs real brokers (${endpoints.source}), and these do not answer:`, ...failures, `  ${HOW_TO_FIX[endpoints.source]}.`].join('\n'),
    );
  }
}
