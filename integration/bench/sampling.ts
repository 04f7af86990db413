// `pnpm bench` (BENCH_ONLY=sampling): what backlog-aware sampling costs and buys — the decision
// per message, in process; and how fast a deep backlog drains with sampling against full
// tracing, side by side (alternating fresh processes, same backlog, nsqd).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { BacklogSampling, resolveSampling, type InboundContext } from '@tracehop/core';
import { Bench } from 'tinybench';

import type { SamplingBench } from './sampling-report.js';

const run = promisify(execFile);

async function decisionCost(): Promise<{ decisionNs: number; baselineNs: number }> {
  const sampling = new BacklogSampling(resolveSampling({ backlog: { capacity: 1000 } })!, 'bench');
  sampling.report(700);
  const inbounds: InboundContext[] = Array.from({ length: 256 }, () => ({
    spanContext: { traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'), traceFlags: 1 },
    baggage: undefined,
  }));
  const BATCH = 64;
  let index = 0;
  let kept = 0;
  const bench = new Bench({ time: 500 });
  bench.add('decision', () => {
    for (let i = 0; i < BATCH; i++) if (sampling.decide(inbounds[index++ & 255]!)) kept++;
  });
  bench.add('baseline', () => {
    for (let i = 0; i < BATCH; i++) if (inbounds[index++ & 255]!.spanContext !== undefined) kept++;
  });
  await bench.run();
  sampling.close();
  const ns = (name: string) => {
    const result = bench.getTask(name)?.result;
    if (result?.state !== 'completed') throw new Error(`benchmark task ${name} did not complete`);
    return (result.latency.p50 * 1e6) / BATCH;
  };
  return { decisionNs: ns('decision'), baselineNs: ns('baseline') + (kept < 0 ? 1 : 0) };
}

export async function runSampling(nsqdTcpAddress: string, kafkaBrokers: string[], log: (line: string) => void): Promise<SamplingBench> {
  const { decisionNs, baselineNs } = await decisionCost();
  log(`  decision: ${decisionNs.toFixed(1)} ns (loop alone ${baselineNs.toFixed(1)} ns)`);
  const messages = Number(process.env.BENCH_DRAIN_MESSAGES ?? 20000);
  const capacity = 500;
  const worker = fileURLToPath(new URL('./sampling-drain.ts', import.meta.url));
  const drain: Array<SamplingBench['drain'][number]> = [];
  for (const broker of ['kafka', 'nsq'] as const) {
    const results = { full: { perSecond: [] as number[], cpu: [] as number[], spans: [] as number[] }, sampled: { perSecond: [] as number[], cpu: [] as number[], spans: [] as number[] } };
    for (let repetition = 0; repetition < Number(process.env.BENCH_DRAIN_REPETITIONS ?? 5); repetition++) {
      for (const mode of repetition % 2 === 0 ? (['full', 'sampled'] as const) : (['sampled', 'full'] as const)) {
        const request = { broker, mode, messages, capacity, nsqdTcpAddress, kafkaBrokers };
        const { stdout } = await run(process.execPath, ['--import', 'tsx', worker, JSON.stringify(request)], { timeout: 120_000 });
        const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { perSecond: number; cpuMicrosPerMessage: number; spans: number };
        results[mode].perSecond.push(result.perSecond);
        results[mode].cpu.push(result.cpuMicrosPerMessage);
        results[mode].spans.push(result.spans);
        log(`  drain ${broker} ${mode}: ${Math.round(result.perSecond)} msg/s, ${result.cpuMicrosPerMessage.toFixed(1)} µs CPU/msg, ${result.spans} spans`);
      }
    }
    for (const mode of ['full', 'sampled'] as const) drain.push({ broker, mode, ...results[mode] });
  }
  return {
    decisionNs,
    baselineNs,
    messages,
    capacity,
    drain,
  };
}
