// An ESM app and a CommonJS app, each started the way NodeSDK users start services, with
// tracehop's three instrumentations and not one tracehop call in their own code: every hop
// (Kafka, RabbitMQ, NSQ) is one trace from the app's span around the publish to the app's
// span inside the handler, for the SDK's default format and for OTEL_PROPAGATORS=b3multi.
// The apps load the built packages (their `import` / `require` exports), as users do.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { assertPackagesBuilt, runApp, type AppRun } from './support/run-app.js';
import { ancestry, spanNamed } from './support/span-chain.js';

const APPS = [
  { kind: 'ESM', execArgv: ['--import', './telemetry.mjs'], entry: 'app.mjs' },
  { kind: 'CommonJS', execArgv: ['--require', './telemetry.cjs'], entry: 'app.cjs' },
] as const;

const FORMATS = [
  { name: 'the default format', env: {}, headers: ['traceparent'] },
  { name: 'OTEL_PROPAGATORS=b3multi', env: { OTEL_PROPAGATORS: 'b3multi' }, headers: ['x-b3-sampled', 'x-b3-spanid', 'x-b3-traceid'] },
] as const;

beforeAll(() => assertPackagesBuilt());

describe.each(APPS)('an instrumented $kind app', (app) => {
  describe.each(FORMATS)('with $name', (format) => {
    let run: AppRun;
    const runId = randomUUID().slice(0, 8);
    beforeAll(async () => {
      run = await runApp({ ...app, brokers: inject('brokers'), env: { ...format.env, RUN_ID: runId } });
    }, 90_000);

    it('Kafka: handler span → process span → send span → the app span around the send, one trace', () => {
      const handler = spanNamed(run.spans, 'handle kafka');
      expect(ancestry(run.spans, handler)).toEqual([
        'handle kafka (orders-app)',
        `process instrumented-${runId} (@tracehop/kafkajs)`,
        `send instrumented-${runId} (@tracehop/kafkajs)`,
        'order kafka (orders-app)',
      ]);
    });

    it('RabbitMQ: handler span → process span → send span → the app span around the publish, one trace', () => {
      const handler = spanNamed(run.spans, 'handle rabbitmq');
      expect(ancestry(run.spans, handler)).toEqual([
        'handle rabbitmq (orders-app)',
        'process (@tracehop/amqplib)',
        'send (@tracehop/amqplib)',
        'order rabbitmq (orders-app)',
      ]);
    });

    it('NSQ: handler span → process span → send span → the app span around the publish, one trace', () => {
      const handler = spanNamed(run.spans, 'handle nsq');
      expect(ancestry(run.spans, handler)).toEqual([
        'handle nsq (orders-app)',
        `process instrumented-${runId} (@tracehop/nsqjs)`,
        `send instrumented-${runId} (@tracehop/nsqjs)`,
        'order nsq (orders-app)',
      ]);
    });

    it('the messages carry exactly the format the SDK was configured with', () => {
      expect(run.reports.map(({ broker, headers }) => ({ broker, headers }))).toEqual([
        { broker: 'kafka', headers: format.headers },
        { broker: 'rabbitmq', headers: format.headers },
      ]);
    });
  });
});
