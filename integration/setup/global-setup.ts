import type { TestProject } from 'vitest/node';
import { containerRuntimeAnswers, startContainers } from './containers.js';
import { NATIVE_ENDPOINTS, type BrokerEndpoints } from './endpoints.js';
import { probeBrokers } from './probes.js';
import { downClustersStartedByTests } from '../cluster/support/cluster.js';

/**
 * Finds the real brokers for the integration suite, in this order:
 * 1. the environment: KAFKA_BROKERS, AMQP_URL, NSQD_TCP_ADDRESS (+ NSQD_HTTP_ADDRESS);
 * 2. testcontainers, when a container runtime answers;
 * 3. the native brokers of `pnpm brokers:up` on 127.0.0.1 (which `pnpm test` runs first).
 * Whatever the source, every broker is probed; one that does not answer fails the suite with
 * a message that names it. The suite never skips.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const mode = process.env.TRACEHOP_BROKERS ?? 'auto';
  const env = process.env;
  let endpoints: BrokerEndpoints;
  let teardown = async () => {};

  if (env.KAFKA_BROKERS || env.AMQP_URL || env.NSQD_TCP_ADDRESS) {
    const nsqdTcp = env.NSQD_TCP_ADDRESS ?? NATIVE_ENDPOINTS.nsqdTcpAddress;
    endpoints = {
      source: 'env',
      kafkaBrokers: env.KAFKA_BROKERS ? env.KAFKA_BROKERS.split(',').map((b) => b.trim()) : NATIVE_ENDPOINTS.kafkaBrokers,
      amqpUrl: env.AMQP_URL ?? NATIVE_ENDPOINTS.amqpUrl,
      nsqdTcpAddress: nsqdTcp,
      nsqdHttpAddress: env.NSQD_HTTP_ADDRESS ?? `${nsqdTcp.split(':')[0]}:4151`,
    };
  } else if (mode !== 'native' && (mode === 'testcontainers' || (await containerRuntimeAnswers()))) {
    const started = await startContainers();
    endpoints = started.endpoints;
    teardown = started.stop;
  } else {
    endpoints = { source: 'native', ...NATIVE_ENDPOINTS };
  }

  await probeBrokers(endpoints);
  project.provide('brokers', endpoints);
  // The failover tests (integration/cluster) start and stop their own clusters; one a run left
  // behind (a crashed worker) is removed here, so that nothing keeps running after the suite.
  return async () => {
    await teardown();
    await downClustersStartedByTests();
  };
}
