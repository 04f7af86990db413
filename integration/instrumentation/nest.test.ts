// A real NestJS microservices app, unchanged — two services built with `tsc` as `nest build`
// does and started the CommonJS way, `node --require ./telemetry.cjs dist/…` — traced end to
// end by tracehop's instrumentations alone, on the Kafka and on the RabbitMQ transport: the
// event the checkout service emits inside its `checkout` span is handled by the orders
// service in a process span that is the child of the emitter's send span, and the handler's
// own span is the child of that process span. NestJS creates every kafkajs and amqplib
// (amqp-connection-manager) client itself; the app never sees them.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as KafkaJs from 'kafkajs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { appsDir, assertPackagesBuilt, runApp, type AppSpan } from './support/run-app.js';
import { ancestry, spanNamed } from './support/span-chain.js';

const nestDir = fileURLToPath(new URL('./nest/', import.meta.url));
const telemetry = ['--require', `${appsDir}telemetry.cjs`];
const require = createRequire(import.meta.url);

beforeAll(() => {
  assertPackagesBuilt();
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', `${nestDir}tsconfig.json`], { stdio: 'inherit', timeout: 120_000 });
}, 150_000);

async function createTopic(topic: string): Promise<void> {
  const { Kafka, logLevel } = require('kafkajs') as typeof KafkaJs;
  const admin = new Kafka({ brokers: inject('brokers').kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

/** Starts the orders service, then runs the checkout once it listens; both services' spans. */
async function emitAndHandle(transport: 'kafka' | 'rmq', pattern: string): Promise<AppSpan[]> {
  const env = { TRANSPORT: transport, ORDERS_PATTERN: pattern };
  let listening!: () => void;
  const ready = new Promise<void>((resolve) => (listening = resolve));
  const orders = runApp({
    execArgv: telemetry,
    entry: 'orders-main.js',
    cwd: `${nestDir}.cache/dist`,
    brokers: inject('brokers'),
    env: { ...env, OTEL_SERVICE_NAME: 'orders-service' },
    onReport: (report) => report.ready === true && listening(),
    stopWhen: (report) => report.handled === `order-${pattern}`,
  });
  await Promise.race([ready, orders]);
  const checkout = await runApp({
    execArgv: telemetry,
    entry: 'checkout-main.js',
    cwd: `${nestDir}.cache/dist`,
    brokers: inject('brokers'),
    env: { ...env, OTEL_SERVICE_NAME: 'checkout-service' },
    // The order comes in once the service is up, as a request would.
    onReport: (report, write) => report.ready === true && write(`order-${pattern}`),
  });
  return [...checkout.spans, ...(await orders).spans];
}

describe.each([
  { transport: 'kafka', scope: '@tracehop/kafkajs' },
  { transport: 'rmq', scope: '@tracehop/amqplib' },
] as const)('NestJS microservices over $transport, traced by the instrumentations alone', ({ transport, scope }) => {
  let spans: AppSpan[];
  const pattern = `nest-orders-${randomUUID().slice(0, 8)}`;
  beforeAll(async () => {
    if (transport === 'kafka') await createTopic(pattern);
    spans = await emitAndHandle(transport, pattern);
  }, 120_000);

  it('the handler span → process span (orders) → send span → checkout span (checkout), one trace', () => {
    const handler = spanNamed(spans, 'reserve stock');
    expect(ancestry(spans, handler)).toEqual([
      'reserve stock (orders-service)',
      `process ${pattern} (${scope})`,
      `send ${pattern} (${scope})`,
      'checkout (checkout-service)',
    ]);
  });

  it('the emitter’s span and the handler’s spans are made in the two services', () => {
    const send = spanNamed(spans, `send ${pattern}`);
    const process = spanNamed(spans, `process ${pattern}`);
    expect([send.service, process.service]).toEqual(['checkout-service', 'orders-service']);
    expect(process.parentSpanId).toBe(send.spanId);
  });
});
