// `pnpm bench`: micro benchmarks, end-to-end throughput on the real brokers, and memory;
// prints the tables and regenerates docs/benchmarks.md from what this run measured (and saves
// the measurements in docs/benchmarks.json; BENCH_RENDER=1 renders the report from them again).
//   BENCH_MESSAGES (30000)  BENCH_REPETITIONS (7)  BENCH_SIZE (256)  BENCH_MEMORY_MESSAGES (1000000)
//   BENCH_PROFILE_REPETITIONS (7)  BENCH_PROFILE_MESSAGES (20000)
//   BENCH_ONLY=micro,throughput,profile,memory,worst-case,sampling   BENCH_BROKERS=kafka,rabbitmq,nsq
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assertPackagesBuilt } from './built-packages.js';
import { runThroughput, runWorker, type Endpoints } from './e2e.js';
import { runProfiles } from './profile.js';
import { describeRun, renderReport, type MemoryRow, type ReportInput } from './report.js';
import type { Broker } from './variants.js';

const number = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const PARTS = ['micro', 'throughput', 'profile', 'memory', 'worst-case', 'sampling'];
const only = new Set((process.env.BENCH_ONLY ?? PARTS.join(',')).split(','));
const brokers = (process.env.BENCH_BROKERS ?? 'kafka,rabbitmq,nsq').split(',') as Broker[];
const endpoints: Endpoints = {
  kafkaBrokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  amqpUrl: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  nsqdTcpAddress: process.env.NSQD_TCP_ADDRESS ?? '127.0.0.1:4150',
};
const log = (line: string) => console.log(line);
const settings = {
  messages: number('BENCH_MESSAGES', 30_000),
  size: number('BENCH_SIZE', 256),
  // The machine is shared: seven interleaved repetitions keep one disturbed run out of the median.
  repetitions: number('BENCH_REPETITIONS', 7),
  memoryMessages: number('BENCH_MEMORY_MESSAGES', 1_000_000),
  profileRepetitions: number('BENCH_PROFILE_REPETITIONS', 7),
  profileMessages: number('BENCH_PROFILE_MESSAGES', 20_000),
};

const dataFile = fileURLToPath(new URL('../../docs/benchmarks.json', import.meta.url));
const reportFile = fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url));

if (process.env.BENCH_RENDER === '1') {
  // Re-renders docs/benchmarks.md from the measurements the last full run saved, measuring
  // nothing: for a change to the report's wording, never to its figures.
  const saved = JSON.parse(readFileSync(dataFile, 'utf8')) as ReportInput;
  writeFileSync(reportFile, await renderReport(saved));
  console.log(`${reportFile} rendered again from ${dataFile}`);
  process.exit(0);
}

assertPackagesBuilt();
const environment = await describeRun(endpoints);
// Imported once the build is known to be there: micro.ts loads @tracehop/* from it.
const { runMicro } = await import('./micro.js');
const micro = only.has('micro') ? (log('micro benchmarks…'), await runMicro()) : [];
const { runWorstCase } = await import('./worst-case.js');
const worstCase = only.has('worst-case') ? (log('worst-case messages…'), runWorstCase(log)) : [];
const { runSampling } = await import('./sampling.js');
const sampling = only.has('sampling') ? (log('backlog sampling…'), await runSampling(endpoints.nsqdTcpAddress, endpoints.kafkaBrokers, log)) : undefined;
const throughput = only.has('throughput') ? (log('end to end throughput…'), await runThroughput(brokers, endpoints, { ...settings, log })) : [];
const profiles = only.has('profile')
  ? (log('profiles of the floor variants…'),
    await runProfiles(brokers, endpoints, { messages: settings.profileMessages, size: settings.size, repetitions: settings.profileRepetitions, log }))
  : [];
const memory: MemoryRow[] = [];
if (only.has('memory')) {
  log(`memory: ${settings.memoryMessages} messages per adapter, spans on…`);
  for (const broker of brokers) {
    const result = await runWorker({ broker, variant: 'tracehop-spans', messages: settings.memoryMessages, size: settings.size, memory: true }, endpoints);
    memory.push({ broker, messages: result.messages, before: result.heapAfterWarmupBytes!, after: result.heapAfterRunBytes!, perSecond: result.perSecond });
    log(`  ${broker}: ${(result.heapAfterWarmupBytes! / 2 ** 20).toFixed(1)} MiB → ${(result.heapAfterRunBytes! / 2 ** 20).toFixed(1)} MiB`);
  }
}

const measured: ReportInput = { environment, micro, throughput, profiles, memory, worstCase, sampling, settings, endpoints };
const report = await renderReport(measured);
console.log(`\n${report}`);
if (PARTS.every((part) => only.has(part)) && process.env.BENCH_WRITE !== '0') {
  writeFileSync(reportFile, report);
  // Every figure the report was made from, each repetition's included, beside it.
  writeFileSync(dataFile, `${JSON.stringify(measured)}\n`);
  console.log(`written to ${reportFile} and ${dataFile}`);
}
