import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Broker, Variant, WorkerRequest, WorkerResult } from './variants.js';
import { VARIANTS_BY_BROKER } from './variants.js';

const run = promisify(execFile);
const workerPath = fileURLToPath(new URL('./worker.ts', import.meta.url));

export interface Endpoints {
  kafkaBrokers: string[];
  amqpUrl: string;
  nsqdTcpAddress: string;
}

/** Runs one variant in a fresh Node process and returns what it measured. */
export async function runWorker(request: WorkerRequest, endpoints: Endpoints): Promise<WorkerResult> {
  const { stdout } = await run(
    process.execPath,
    // No `tracehop-source` condition: @tracehop/* load from their build (see built-packages.ts).
    ['--expose-gc', '--import', 'tsx', workerPath, JSON.stringify(request)],
    {
      env: {
        ...process.env,
        BENCH_ENDPOINTS: JSON.stringify(endpoints),
        KAFKAJS_NO_PARTITIONER_WARNING: '1',
        // The formats every variant carries: tracehop reads them from here, the official
        // instrumentations from the global propagator that telemetry.ts registers to match.
        OTEL_PROPAGATORS: 'tracecontext,baggage',
      },
      maxBuffer: 16 << 20,
      timeout: 30 * 60_000,
    },
  );
  const line = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as WorkerResult;
}

export interface ThroughputRow {
  readonly broker: Broker;
  readonly variant: Variant;
  /** Messages per second, one figure per repetition. */
  readonly samples: number[];
  readonly median: number;
  /** CPU time of the client process per message (µs), one figure per repetition. */
  readonly cpuSamples: number[];
  readonly cpuMedian: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** `list` rotated left by `by` places. */
const rotate = <T>(list: readonly T[], by: number): T[] => list.map((_, i) => list[(i + by) % list.length]!);

/**
 * The order a part runs its variants in: every broker's variants once per repetition, each
 * repetition starting with the next variant (raw first, then raw-context first, …), so that
 * drift in a shared machine's load touches them all alike and no variant always runs right
 * after the same neighbour.
 */
export function* interleaved(
  brokers: readonly Broker[],
  repetitions: number,
  variantsFor: (broker: Broker) => Variant[],
): Generator<{ repetition: number; broker: Broker; variant: Variant }> {
  for (let repetition = 1; repetition <= repetitions; repetition++) {
    for (const broker of brokers) {
      for (const variant of rotate(variantsFor(broker), repetition - 1)) yield { repetition, broker, variant };
    }
  }
}

/** The variants run for a broker: all of them, or those named in BENCH_VARIANTS (a partial run). */
export function variantsOf(broker: Broker): Variant[] {
  const only = process.env.BENCH_VARIANTS?.split(',');
  return only === undefined ? VARIANTS_BY_BROKER[broker] : VARIANTS_BY_BROKER[broker].filter((variant) => only.includes(variant));
}

/** How much a part of the bench runs: messages of `size` bytes per run, runs per variant. */
export interface RunSettings {
  readonly messages: number;
  readonly size: number;
  readonly repetitions: number;
  readonly log: (line: string) => void;
}

/** Produce + consume `messages` messages of `size` bytes per variant, variants `interleaved`. */
export async function runThroughput(brokers: Broker[], endpoints: Endpoints, { messages, size, repetitions, log }: RunSettings): Promise<ThroughputRow[]> {
  const samples = new Map<string, { perSecond: number[]; cpu: number[] }>();
  for (const { repetition, broker, variant } of interleaved(brokers, repetitions, variantsOf)) {
    const result = await runWorker({ broker, variant, messages, size }, endpoints);
    const key = `${broker}/${variant}`;
    const entry = samples.get(key) ?? { perSecond: [], cpu: [] };
    entry.perSecond.push(result.perSecond);
    entry.cpu.push(result.cpuMicrosPerMessage);
    samples.set(key, entry);
    log(
      `  rep ${repetition} ${key.padEnd(26)} ${Math.round(result.perSecond).toString().padStart(7)} msg/s ` +
        `${result.cpuMicrosPerMessage.toFixed(1).padStart(6)} µs CPU/msg (${result.spans} spans)`,
    );
  }
  return brokers.flatMap((broker) =>
    variantsOf(broker).map((variant) => {
      const { perSecond, cpu } = samples.get(`${broker}/${variant}`)!;
      return { broker, variant, samples: perSecond, median: median(perSecond), cpuSamples: cpu, cpuMedian: median(cpu) };
    }),
  );
}
