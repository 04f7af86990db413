import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

// Tests run against package sources, the way typecheck does (`tracehop-source` condition).
const alias = {
  '@tracehop/core': source('core'),
  '@tracehop/kafkajs': source('kafkajs'),
  '@tracehop/amqplib': source('amqplib'),
  '@tracehop/nsqjs': source('nsqjs'),
};

export default defineConfig({
  resolve: { alias },
  test: {
    // Integration files share one set of brokers: they run one at a time, which keeps
    // broker load sane on a 2-core machine and failures readable.
    fileParallelism: false,
    reporters: ['default', './scripts/summary-reporter.ts'],
    env: { KAFKAJS_NO_PARTITIONER_WARNING: '1' },
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts'],
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['integration/**/*.test.ts'],
          globalSetup: ['integration/setup/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
