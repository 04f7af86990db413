#!/usr/bin/env node
// The packages as npm users get them: pack each one, lint the tarballs (publint, and
// @arethetypeswrong/cli for the types of every resolution mode), then install the tarballs
// into a fresh app outside the workspace (with the peer dependencies from the registry, at
// the versions the test suite uses) and load them as users do: ESM `import`, CJS `require`,
// and a TypeScript compile of a small consumer. Any finding fails the run.
//   node scripts/check-packages.mjs [--skip-build] [--keep]
//     --skip-build  use the dist/ already built (CI builds in `npm run check` just before)
//     --keep        leave the temporary directory (tarballs, app) for inspection
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = new Set(process.argv.slice(2));
const PACKAGES = ['core', 'kafkajs', 'amqplib', 'nsqjs'];
const REPOSITORY = 'https://github.com/tracehop/tracehop';
const work = mkdtempSync(join(tmpdir(), 'tracehop-packages-'));
const failures = [];
const started = performance.now();

const fail = (message) => {
  failures.push(message);
  console.log(`  FAIL ${message}`);
};
const ok = (message) => console.log(`  ok   ${message}`);
const seconds = (since) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

function step(title, fn) {
  const at = performance.now();
  console.log(`== ${title}`);
  fn();
  console.log(`   (${seconds(at)})`);
}

/** Runs a command; returns its output, or records a failure (with the output) and returns undefined. */
function run(command, argv, { cwd = root, label = `${command} ${argv.join(' ')}` } = {}) {
  const result = spawnSync(command, argv, { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', KAFKAJS_NO_PARTITIONER_WARNING: '1' } });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  if (result.error || result.status !== 0) {
    fail(`${label} exited with ${result.error?.message ?? result.status}\n${indent(output)}`);
    return undefined;
  }
  return output;
}
const indent = (text) => text.split('\n').map((line) => `       ${line}`).join('\n');

/** The version of `name` that the workspace (and so the test suite) resolves from `dir`. */
function testedVersion(name, dir) {
  // node_modules lookup by hand: some packages (@opentelemetry/api) do not export package.json.
  for (let at = dir; ; at = dirname(at)) {
    try {
      return JSON.parse(readFileSync(join(at, 'node_modules', name, 'package.json'), 'utf8')).version;
    } catch (error) {
      if (error?.code !== 'ENOENT' || dirname(at) === at) throw error;
    }
  }
}

function mkdirp(dir) {
  mkdirSync(dir, { recursive: true });
  return dir;
}

const tarballs = new Map();
const unpacked = join(work, 'unpacked');

try {
  if (!args.has('--skip-build')) {
    step('build', () => {
      run('pnpm', ['-r', '--filter', './packages/*', 'run', 'build']);
    });
  }

  step('pack', () => {
    const destination = mkdirp(join(work, 'tarballs'));
    for (const name of PACKAGES) {
      const before = new Set(readdirSync(destination));
      const output = run('pnpm', ['pack', '--pack-destination', destination], { cwd: join(root, 'packages', name), label: `pnpm pack (${name})` });
      if (output === undefined) continue;
      const file = readdirSync(destination).find((entry) => entry.endsWith('.tgz') && !before.has(entry));
      if (file === undefined) {
        fail(`pnpm pack (${name}) wrote no tarball`);
        continue;
      }
      tarballs.set(name, join(destination, file));
      ok(`${name}: ${file}`);
    }
  });
} catch (error) {
  fail(String(error?.stack ?? error));
}

step('tarball contents (LICENSE, README, CHANGELOG, metadata)', () => {
  const license = readFileSync(join(root, 'LICENSE'), 'utf8');
  for (const [name, tarball] of tarballs) {
    const dir = mkdirp(join(unpacked, name));
    execFileSync('tar', ['-xzf', tarball, '-C', dir]);
    const pkgDir = join(dir, 'package');
    const files = new Set(listFiles(pkgDir).map((file) => relative(pkgDir, file)));
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
    const problems = [];
    if (!files.has('LICENSE')) problems.push('no LICENSE');
    else if (readFileSync(join(pkgDir, 'LICENSE'), 'utf8') !== license) problems.push('LICENSE differs from the root LICENSE');
    for (const file of ['README.md', 'CHANGELOG.md', 'dist/esm/index.js', 'dist/cjs/index.js', 'dist/esm/index.d.ts', 'dist/cjs/index.d.ts']) {
      if (!files.has(file)) problems.push(`no ${file}`);
    }
    if (pkg.license !== 'Apache-2.0') problems.push(`license is ${pkg.license}`);
    if (pkg.repository?.url !== `git+${REPOSITORY}.git` || pkg.repository?.directory !== `packages/${name}`) {
      problems.push(`repository is ${JSON.stringify(pkg.repository)}`);
    }
    if (!pkg.homepage?.startsWith(REPOSITORY)) problems.push(`homepage is ${pkg.homepage}`);
    if (!pkg.bugs?.url?.startsWith(REPOSITORY)) problems.push(`bugs is ${JSON.stringify(pkg.bugs)}`);
    const ranges = { ...pkg.dependencies, ...pkg.peerDependencies };
    for (const [dependency, range] of Object.entries(ranges)) {
      if (range.startsWith('workspace:')) problems.push(`${dependency} is still ${range}`);
      if (/^(>=?[^<]*|\*|latest)$/.test(range.trim())) problems.push(`${dependency} has an open-ended range ${range}`);
    }
    if (problems.length > 0) fail(`${pkg.name}: ${problems.join('; ')}`);
    else ok(`${pkg.name}@${pkg.version}: ${files.size} files, LICENSE, README, CHANGELOG, repository, homepage, bugs`);
  }
  // nsqjs ships no types of its own: tracehop's declarations must not need @types/nsqjs.
  const nsqDir = join(unpacked, 'nsqjs', 'package', 'dist');
  const needing = listFiles(nsqDir).filter((file) => file.endsWith('.d.ts') && /(from|import\()\s*['"]nsqjs['"]/.test(readFileSync(file, 'utf8')));
  if (needing.length > 0) fail(`@tracehop/nsqjs declarations import 'nsqjs': ${needing.map((file) => relative(nsqDir, file)).join(', ')}`);
  else ok(`@tracehop/nsqjs declarations do not import 'nsqjs' (no @types/nsqjs needed for them)`);
});

function listFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

await stepAsync('publint (every message counts: errors, warnings, suggestions)', async () => {
  for (const [name, tarball] of tarballs) {
    const buffer = readFileSync(tarball);
    const { messages, pkg } = await publint({
      pack: { tarball: buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) },
      level: 'suggestion',
      strict: true,
    });
    if (messages.length === 0) ok(`${name}: no messages`);
    for (const message of messages) fail(`publint ${name}: [${message.type}] ${formatMessage(message, pkg, { color: false })}`);
  }
});

step('attw (@arethetypeswrong/cli, profile strict: node10, node16 CJS and ESM, bundler)', () => {
  const attw = join(root, 'node_modules', '.bin', 'attw');
  for (const [name, tarball] of tarballs) {
    const output = run(attw, [tarball, '--no-definitely-typed', '--format', 'table-flipped', '--no-emoji', '--no-color'], { label: `attw ${name}` });
    if (output === undefined) continue;
    if (/no problems found/i.test(output)) ok(`${name}: ${output.split('\n').find((line) => /no problems/i.test(line)).trim()}`);
    else fail(`attw ${name} reported:\n${indent(output)}`);
  }
});

const app = join(work, 'app');
step('install the tarballs into a fresh app outside the workspace (npm, peers from the registry)', () => {
  if (tarballs.size !== PACKAGES.length) {
    fail('not every package was packed; nothing to install');
    return;
  }
  mkdirp(app);
  writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: 'tracehop-consumer-app', version: '0.0.0', private: true }, null, 2)}\n`);
  const peers = [
    ['@opentelemetry/api', root],
    ['kafkajs', join(root, 'packages', 'kafkajs')],
    ['amqplib', join(root, 'packages', 'amqplib')],
    ['nsqjs', join(root, 'packages', 'nsqjs')],
    ['@types/nsqjs', root],
    ['@types/node', root],
    ['typescript', root],
  ].map(([name, dir]) => `${name}@${testedVersion(name, dir)}`);
  const output = run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...PACKAGES.map((name) => tarballs.get(name)), ...peers],
    { cwd: app, label: 'npm install (fresh app)' },
  );
  if (output !== undefined) ok(`installed the 4 tarballs with ${peers.join(', ')}`);
});

// A functional probe, not only a load: the same exact traceparent from either build, and each
// adapter's wrapper applied to a real (unconnected) client of its library.
const probe = (load) => `
${load}
const expected = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const spanContext = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 };
const headers = core.injectHeaders({}, api.trace.setSpanContext(api.ROOT_CONTEXT, spanContext), core.createPropagator('tracecontext,baggage'));
if (headers.traceparent !== expected) throw new Error('core: traceparent ' + headers.traceparent);
const producer = tkafka.instrumentProducer(new kafkajs.Kafka({ brokers: ['127.0.0.1:1'] }).producer());
if (!tkafka.isInstrumented(producer) || typeof producer.send !== 'function') throw new Error('kafkajs: not instrumented');
const writer = tnsq.instrumentWriter(new nsqjs.Writer('127.0.0.1', 1));
if (typeof writer.publish !== 'function') throw new Error('nsqjs: no publish');
for (const name of ['instrumentConnection', 'instrumentChannel', 'getMessageContext', 'injectAmqpHeaders']) {
  if (typeof tamqp[name] !== 'function') throw new Error('amqplib: no ' + name);
}
if (typeof amqplib.connect !== 'function') throw new Error('amqplib itself did not load');
console.log('loaded', Object.keys(core).length, Object.keys(tkafka).length, Object.keys(tamqp).length, Object.keys(tnsq).length, 'exports');
`;

step('ESM import and CJS require of every package', () => {
  if (readdirSafe(join(app, 'node_modules', '@tracehop')).length !== PACKAGES.length) {
    fail('the app has no @tracehop packages installed; nothing to load');
    return;
  }
  writeFileSync(
    join(app, 'esm.mjs'),
    probe(`import * as api from '@opentelemetry/api';
import * as core from '@tracehop/core';
import * as tkafka from '@tracehop/kafkajs';
import * as tamqp from '@tracehop/amqplib';
import * as tnsq from '@tracehop/nsqjs';
import kafkajs from 'kafkajs';
import * as amqplib from 'amqplib';
import nsqjs from 'nsqjs';
if (!import.meta.resolve('@tracehop/core').endsWith('/dist/esm/index.js')) throw new Error('import did not resolve to the ESM build');`),
  );
  writeFileSync(
    join(app, 'cjs.cjs'),
    probe(`const api = require('@opentelemetry/api');
const core = require('@tracehop/core');
const tkafka = require('@tracehop/kafkajs');
const tamqp = require('@tracehop/amqplib');
const tnsq = require('@tracehop/nsqjs');
const kafkajs = require('kafkajs');
const amqplib = require('amqplib');
const nsqjs = require('nsqjs');
if (!require.resolve('@tracehop/core').endsWith('/dist/cjs/index.js')) throw new Error('require did not resolve to the CJS build');`),
  );
  for (const file of ['esm.mjs', 'cjs.cjs']) {
    const output = run(process.execPath, [file], { cwd: app, label: `node ${file}` });
    if (output !== undefined) ok(`node ${file}: ${output}`);
  }
});

function readdirSafe(dir) {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

// A TypeScript consumer: the wrappers keep the clients' own types, options are typed (a
// wrong value is an error, so the types are not `any`), in an ESM (.mts) and a CJS (.cts)
// module of one NodeNext program, strict, declarations of the packages checked too.
const CONSUMER_MTS = `import { context, trace } from '@opentelemetry/api';
import { connect, type Channel } from 'amqplib';
import { Kafka, type Consumer, type Producer } from 'kafkajs';
import { Reader, Writer } from 'nsqjs';
import { createPropagator, type TracehopOptions } from '@tracehop/core';
import { instrumentChannel, getMessageContext } from '@tracehop/amqplib';
import { instrumentConsumer, instrumentProducer } from '@tracehop/kafkajs';
import { instrumentReader, instrumentWriter, decodeEnvelope } from '@tracehop/nsqjs';

const options: TracehopOptions = { propagator: createPropagator('tracecontext,baggage'), inbound: 'link', baggage: ['tenant'] };
const kafka = new Kafka({ brokers: ['127.0.0.1:9092'] });
export const producer: Producer = instrumentProducer(kafka.producer(), options);
export const consumer: Consumer = instrumentConsumer(kafka.consumer({ groupId: 'billing' }));
// @ts-expect-error -- 'sometimes' is not an inbound policy: the options are typed
instrumentProducer(kafka.producer(), { inbound: 'sometimes' });

export async function channel(): Promise<Channel> {
  const traced = instrumentChannel(await (await connect('amqp://127.0.0.1')).createChannel());
  const message = await traced.get('jobs');
  if (message !== false) context.with(getMessageContext(message) ?? context.active(), () => trace.getActiveSpan());
  return traced;
}

export const writer: Writer = instrumentWriter(new Writer('127.0.0.1', 4150));
export const reader: Reader = instrumentReader(new Reader('orders', 'billing', { nsqdTCPAddresses: ['127.0.0.1:4150'] }));
reader.on('message', (message) => message.finish());
export const decoded: ReturnType<typeof decodeEnvelope> = decodeEnvelope(Buffer.from('x'));
`;
const CONSUMER_CTS = `import { createPropagator } from '@tracehop/core';
import { instrumentProducer } from '@tracehop/kafkajs';
import { instrumentChannel } from '@tracehop/amqplib';
import { instrumentWriter } from '@tracehop/nsqjs';
import { Kafka } from 'kafkajs';

export const propagator = createPropagator(['b3multi']);
export const producer = instrumentProducer(new Kafka({ brokers: ['127.0.0.1:9092'] }).producer(), { propagator });
export const wrappers = [instrumentChannel, instrumentWriter] as const;
`;
const ADAPTER_ONLY_MTS = `import { instrumentWriter, type NsqWriterLike } from '@tracehop/nsqjs';

declare const writer: NsqWriterLike;
export const traced: NsqWriterLike = instrumentWriter(writer, { envelope: (topic: string) => topic !== 'legacy' });
`;

step('TypeScript consumer (tsc, NodeNext, strict, .mts + .cts; then nsqjs without @types/nsqjs)', () => {
  if (readdirSafe(join(app, 'node_modules', '@tracehop')).length !== PACKAGES.length) {
    fail('the app has no @tracehop packages installed; nothing to compile');
    return;
  }
  const tsc = join(app, 'node_modules', 'typescript', 'bin', 'tsc');
  const compilerOptions = { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', noEmit: true, types: ['node'], skipLibCheck: false };
  const project = (name, files) => {
    writeFileSync(join(app, name), `${JSON.stringify({ compilerOptions, files }, null, 2)}\n`);
    return name;
  };
  writeFileSync(join(app, 'consumer.mts'), CONSUMER_MTS);
  writeFileSync(join(app, 'consumer.cts'), CONSUMER_CTS);
  writeFileSync(join(app, 'adapter-only.mts'), ADAPTER_ONLY_MTS);
  const typescript = testedVersion('typescript', app);
  if (run(process.execPath, [tsc, '-p', project('tsconfig.json', ['consumer.mts', 'consumer.cts'])], { cwd: app, label: 'tsc consumer.mts consumer.cts' }) !== undefined) {
    ok(`tsc ${typescript}: consumer.mts (import) and consumer.cts (require) compile, with @types/nsqjs`);
  }
  // Without @types/nsqjs: tracehop's own declarations still compile; only the application's
  // own \`import … from 'nsqjs'\` needs the typings (TS7016), as the nsqjs README says.
  rmSync(join(app, 'node_modules', '@types', 'nsqjs'), { recursive: true, force: true });
  if (run(process.execPath, [tsc, '-p', project('tsconfig.adapter-only.json', ['adapter-only.mts'])], { cwd: app, label: 'tsc adapter-only.mts' }) !== undefined) {
    ok('without @types/nsqjs: a module importing only @tracehop/nsqjs compiles');
  }
  const untyped = spawnSync(process.execPath, [tsc, '-p', project('tsconfig.untyped.json', ['consumer.mts'])], { cwd: app, encoding: 'utf8' });
  const ts7016 = `${untyped.stdout}${untyped.stderr}`.split('\n').filter((line) => line.includes('TS7016'));
  if (untyped.status !== 0 && ts7016.length > 0 && ts7016.every((line) => line.includes("'nsqjs'"))) {
    ok(`without @types/nsqjs: the application's own import of 'nsqjs' is TS7016, as documented`);
  } else {
    fail(`expected TS7016 for 'nsqjs' alone without @types/nsqjs, got status ${untyped.status}:\n${indent(`${untyped.stdout}${untyped.stderr}`)}`);
  }
});

async function stepAsync(title, fn) {
  const at = performance.now();
  console.log(`== ${title}`);
  await fn();
  console.log(`   (${seconds(at)})`);
}

if (args.has('--keep')) console.log(`kept ${work}`);
else rmSync(work, { recursive: true, force: true });

if (failures.length > 0) {
  console.log(`check:packages: ${failures.length} problem(s), ${seconds(started)}`);
  process.exit(1);
}
console.log(`check:packages: ${PACKAGES.length} packages packed, linted, installed and loaded; no problems (${seconds(started)})`);
