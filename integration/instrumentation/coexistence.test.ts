// tracehop's instrumentations left enabled next to @opentelemetry/instrumentation-kafkajs and
// -amqplib, registered in either order: every message carries one context, the one tracehop's
// consumer continues, and the handler's trace runs back to the app span around the publish.
// (docs/migrating.md: disable the official ones; this is what happens if you do not.)
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { assertPackagesBuilt, runApp, type AppRun } from './support/run-app.js';
import { ancestry, spanNamed } from './support/span-chain.js';

beforeAll(() => assertPackagesBuilt());

const OFFICIAL = { kafka: '@opentelemetry/instrumentation-kafkajs', rabbitmq: '@opentelemetry/instrumentation-amqplib' } as const;
const TRACEHOP = { kafka: '@tracehop/kafkajs', rabbitmq: '@tracehop/amqplib' } as const;

describe.each(['official-first', 'tracehop-first'])('both instrumentations, %s', (order) => {
  let run: AppRun;
  const runId = randomUUID().slice(0, 8);
  beforeAll(async () => {
    run = await runApp({
      execArgv: ['--require', './telemetry-both.cjs'],
      entry: 'app.cjs',
      brokers: inject('brokers'),
      env: { RUN_ID: runId, HOPS: 'kafka,rabbitmq', INSTRUMENTATION_ORDER: order },
    });
  }, 90_000);

  it('both are active: each made its own send and process spans', () => {
    for (const broker of ['kafka', 'rabbitmq'] as const) {
      for (const scope of [OFFICIAL[broker], TRACEHOP[broker]]) {
        // The official amqplib instrumentation names its spans `publish <exchange>` and `<queue> process`.
        expect(run.spans.filter((span) => span.scope === scope && /^(send|publish)\b/.test(span.name)), `${broker} send of ${scope}`).toHaveLength(1);
        expect(run.spans.filter((span) => span.scope === scope && /\bprocess\b/.test(span.name)), `${broker} process of ${scope}`).toHaveLength(1);
      }
    }
  });

  it.each(['kafka', 'rabbitmq'] as const)('%s: one traceparent per message, the parent of tracehop’s process span', (broker) => {
    const report = run.reports.find((entry) => entry.broker === broker);
    expect(report?.headers).toEqual(['traceparent']);
    const [, , parentId] = String(report?.traceparent).split('-');
    const process = spanNamed(run.spans, /^process/, TRACEHOP[broker]);
    expect(process.parentSpanId).toBe(parentId);
    // tracehop wraps the client from outside, so the official patch injects last: the message
    // carries the official send span's context, over the stale one tracehop removed and wrote.
    const parent = run.spans.find((span) => span.spanId === parentId);
    expect(parent?.scope).toBe(OFFICIAL[broker]);
  });

  it.each(['kafka', 'rabbitmq'] as const)('%s: the handler runs in tracehop’s process span, one trace back to the app span', (broker) => {
    const chain = ancestry(run.spans, spanNamed(run.spans, `handle ${broker}`));
    expect(chain[0]).toBe(`handle ${broker} (orders-app)`);
    expect(chain[1]).toMatch(new RegExp(`^process.* \\(${TRACEHOP[broker]}\\)$`));
    expect(chain[2]).toMatch(new RegExp(`^(send|publish)\\b.* \\(${OFFICIAL[broker]}\\)$`));
    expect(chain.slice(3)).toEqual([`order ${broker} (orders-app)`]);
  });
});
