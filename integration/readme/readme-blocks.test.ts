// Every code block of the READMEs (root and packages/*) either runs here, as written, against
// the real brokers with a real OpenTelemetry SDK, or is marked as a fragment
// (`<!-- fragment: why -->` on the line before the fence). A block runs as its own Node
// process; only the broker addresses (to the suite's endpoints) and the names of topics,
// queues, exchanges and groups (to names unique to the run) are substituted. Each run must
// show its traced outcome: the consumer's `process` span ended (its handler was reached and the
// message settled) as a child of the producer's span, in the producer's trace.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from 'amqplib';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { codeBlocks, type CodeBlock } from './code-blocks.js';
import type { ReportedSpan } from './reported-span.js';
import { runBlock, stopAll, type BlockOutcome } from './run-block.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RUN_DIR = fileURLToPath(new URL(`./.run/${randomUUID().slice(0, 8)}/`, import.meta.url));
const brokers = inject('brokers');
const [nsqHost, nsqPort] = brokers.nsqdTcpAddress.split(':') as [string, string];

/** Where a renamed name lives, so that the run's leftovers are deleted afterwards. */
type Resource = 'kafka-topic' | 'kafka-group' | 'kafka-client' | 'rabbitmq-queue' | 'rabbitmq-exchange' | 'nsq-topic' | 'nsq-channel';

type Expectation =
  /** `count` consumer spans `process {destination}`, each a child of a producer span of the run. */
  | { readonly hop: string; readonly count?: number }
  /** A producer span of that name ended, not in error. */
  | { readonly sent: string }
  /** The process exits with code 0, its output matching every pattern. */
  | { readonly exits: readonly RegExp[] };

interface BlockRun {
  readonly readme: string;
  /** Text found in exactly one runnable block of that README: which block this is. */
  readonly marker: string;
  /** Names in the block (as single-quoted literals) replaced by names unique to the run. */
  readonly names?: Readonly<Record<string, Resource>>;
  readonly expect: Expectation;
}

const RUNS: readonly BlockRun[] = [
  {
    readme: 'README.md',
    marker: 'instrumentProducer(kafka.producer())',
    names: { orders: 'kafka-topic', billing: 'kafka-group', checkout: 'kafka-client' },
    expect: { hop: 'orders' },
  },
  { readme: 'README.md', marker: 'instrumentChannel(await connection.createChannel())', names: { invoices: 'rabbitmq-queue' }, expect: { hop: 'invoices' } },
  { readme: 'README.md', marker: "new Reader('shipments'", names: { shipments: 'nsq-topic', notifier: 'nsq-channel' }, expect: { hop: 'shipments' } },
  {
    readme: 'packages/kafkajs/README.md',
    marker: 'instrumentKafka(new Kafka(',
    names: { orders: 'kafka-topic', billing: 'kafka-group', checkout: 'kafka-client' },
    expect: { hop: 'orders' },
  },
  { readme: 'packages/amqplib/README.md', marker: 'instrumentConnection(await connect(', names: { invoices: 'rabbitmq-queue' }, expect: { hop: 'invoices' } },
  { readme: 'packages/amqplib/README.md', marker: "from 'amqplib/callback_api'", names: { orders: 'rabbitmq-exchange' }, expect: { sent: 'orders:created' } },
  // One publish, a multi-publish of two and a deferred publish: four messages, four hops.
  { readme: 'packages/nsqjs/README.md', marker: 'instrumentWriter(new Writer(', names: { orders: 'nsq-topic', billing: 'nsq-channel' }, expect: { hop: 'orders', count: 4 } },
  { readme: 'packages/nsqjs/README.md', marker: 'encodeEnvelope(Buffer', expect: { exits: [] } },
  {
    readme: 'packages/core/README.md',
    marker: "createPropagator('tracecontext,baggage')",
    expect: { exits: [/^00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01$/m, /^00f067aa0ba902b7$/m] },
  },
];

const READMES = ['README.md', ...readdirSync(join(ROOT, 'packages')).sort().map((name) => `packages/${name}/README.md`)];
const runnable = (readme: string) => codeBlocks(join(ROOT, readme)).filter((block) => !block.fragment);
const runsOf = (readme: string, block: CodeBlock) => RUNS.filter((run) => run.readme === readme && block.code.includes(run.marker));

const created = new Map<string, Resource>();

function quoted(name: string): RegExp {
  return new RegExp(`'${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'`, 'g');
}

/**
 * The block as it runs here: broker addresses and names substituted, nothing else. Names are
 * unique to each block's run (`orders` → `orders-readme-1a2b3c4d`), so that no run sees
 * another's messages.
 */
function prepare(block: CodeBlock, run: BlockRun, unique: (name: string) => string): string {
  let code = block.code
    .replace(/'(?:127\.0\.0\.1|kafka):9092'/g, `'${brokers.kafkaBrokers[0]}'`)
    .replace(/'amqp:\/\/127\.0\.0\.1'/g, `'${brokers.amqpUrl}'`)
    .replace(/'127\.0\.0\.1', 4150\b/g, `'${nsqHost}', ${nsqPort}`)
    .replace(/'127\.0\.0\.1:4150'/g, `'${brokers.nsqdTcpAddress}'`);
  for (const [name, resource] of Object.entries(run.names ?? {})) {
    expect(code, `'${name}' appears in the block`).toMatch(quoted(name));
    code = code.replace(quoted(name), `'${unique(name)}'`);
    created.set(unique(name), resource);
  }
  return code;
}

function blockFile(readme: string, block: CodeBlock): string {
  mkdirSync(RUN_DIR, { recursive: true });
  return join(RUN_DIR, `${readme.replace(/[/.]/g, '-')}-${block.line}.ts`);
}

const producers = (spans: readonly ReportedSpan[]) => new Map(spans.filter((span) => span.kind === 'PRODUCER').map((span) => [span.spanId, span]));

/** Consumer spans of `destination` whose parent is a producer span of the same run and trace. */
function hops(outcome: BlockOutcome, destination: string): ReportedSpan[] {
  const sent = producers(outcome.spans);
  return outcome.spans.filter((span) => {
    const parent = span.parentSpanId === undefined ? undefined : sent.get(span.parentSpanId);
    return (
      span.kind === 'CONSUMER' &&
      span.name === `process ${destination}` &&
      parent !== undefined &&
      parent.traceId === span.traceId &&
      [`send ${destination}`, `create ${destination}`].includes(parent.name)
    );
  });
}

async function runAndCheck(readme: string, block: CodeBlock, run: BlockRun): Promise<void> {
  const file = blockFile(readme, block);
  const suffix = `readme-${randomUUID().slice(0, 8)}`;
  const unique = (name: string) => `${name}-${suffix}`;
  writeFileSync(file, prepare(block, run, unique));
  const expectation = run.expect;
  if ('exits' in expectation) {
    const outcome = await runBlock(file, 'exit');
    for (const pattern of expectation.exits) expect(outcome.stdout).toMatch(pattern);
    return;
  }
  if ('sent' in expectation) {
    const name = `send ${expectation.sent.replace(/^[^:]+/, (first) => unique(first))}`;
    const outcome = await runBlock(file, (now) => now.spans.some((span) => span.kind === 'PRODUCER' && span.name === name));
    expect(outcome.spans.filter((span) => span.name === name).map((span) => span.status)).toEqual([0]);
    return;
  }
  const destination = unique(expectation.hop);
  const count = expectation.count ?? 1;
  const outcome = await runBlock(file, (now) => hops(now, destination).length >= count);
  const reached = hops(outcome, destination);
  expect(reached).toHaveLength(count);
  // Every process span of the run continues a producer span of the run: nothing arrived as a
  // new root, and nothing failed.
  expect(outcome.spans.filter((span) => span.name === `process ${destination}`)).toEqual(reached);
  expect(outcome.spans.filter((span) => span.status === 2)).toEqual([]);
}

afterEach(() => stopAll());

afterAll(async () => {
  stopAll();
  rmSync(RUN_DIR, { recursive: true, force: true });
  await cleanUp();
});

describe.each(READMES)('%s', (readme) => {
  const blocks = runnable(readme);

  it('has every code block either run below or marked as a fragment', () => {
    const unclaimed = blocks.filter((block) => runsOf(readme, block).length !== 1).map((block) => `line ${block.line} (${block.language})`);
    expect(unclaimed, 'blocks with no (or more than one) entry in RUNS: add one, or mark the block <!-- fragment: why -->').toEqual([]);
    for (const run of RUNS.filter((entry) => entry.readme === readme)) {
      expect(blocks.filter((block) => block.code.includes(run.marker)), `exactly one runnable block contains ${run.marker}`).toHaveLength(1);
    }
  });

  for (const block of blocks) {
    const [run] = runsOf(readme, block);
    if (run === undefined) continue; // reported by the test above
    it(`runs the ${block.language} block at line ${block.line} as written`, { timeout: 90_000 }, () => runAndCheck(readme, block, run));
  }
});

it('type-checks every runnable TypeScript block as written (strict, the workspace types)', { timeout: 120_000 }, () => {
  const dir = join(RUN_DIR, 'typecheck');
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (const readme of READMES) {
    for (const block of runnable(readme).filter((entry) => entry.language === 'ts')) {
      const file = join(dir, `${readme.replace(/[/.]/g, '-')}-${block.line}.ts`);
      writeFileSync(file, block.code);
      files.push(relative(dir, file));
    }
  }
  expect(files.length).toBeGreaterThanOrEqual(RUNS.length);
  const config = { extends: relative(dir, fileURLToPath(new URL('../tsconfig.json', import.meta.url))), compilerOptions: { noEmit: true }, include: [], files };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(config));
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  let output = '';
  try {
    execFileSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    output = `${failed.stdout ?? ''}${failed.stderr ?? ''}`;
  }
  expect(output).toBe('');
});

/** Deletes what the run created (the examples' queues are durable, their topics stay). */
async function cleanUp(): Promise<void> {
  const of = (resource: Resource) => [...created].filter(([, kind]) => kind === resource).map(([name]) => name);
  const kafka = new Kafka({ clientId: 'readme-cleanup', brokers: brokers.kafkaBrokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin
    .connect()
    .then(() => (of('kafka-topic').length > 0 ? admin.deleteTopics({ topics: of('kafka-topic') }) : undefined))
    .then(() => (of('kafka-group').length > 0 ? admin.deleteGroups(of('kafka-group')) : undefined))
    .catch(() => undefined)
    .finally(() => admin.disconnect());
  const connection = await connect(brokers.amqpUrl).catch(() => undefined);
  if (connection !== undefined) {
    const channel = await connection.createChannel();
    for (const queue of of('rabbitmq-queue')) await channel.deleteQueue(queue);
    for (const exchange of of('rabbitmq-exchange')) await channel.deleteExchange(exchange);
    await connection.close();
  }
  for (const topic of of('nsq-topic')) {
    await fetch(`http://${brokers.nsqdHttpAddress}/topic/delete?topic=${encodeURIComponent(topic)}`, { method: 'POST' }).catch(() => undefined);
  }
}
