// The `profile` part of `pnpm bench` (issue 18): the floor variants run again under the CPU
// profiler, and each sample is charged to whoever owns its code (cpu-profile.ts), so that
// tracehop's own cost per message is measured apart from the client library's and the
// broker's, whose swings on a shared machine exceed it.
import type { Attribution } from './cpu-profile.js';
import { byBehaviour } from './profile-report.js';
import { interleaved, runWorker, variantsOf, type Endpoints, type RunSettings } from './e2e.js';
import type { Broker, Variant } from './variants.js';

/** The variants profiled: the two floors, tracehop in both modes, and its drop-in door. */
export const PROFILED: readonly Variant[] = ['raw-header', 'tracehop-nospans', 'handrolled', 'tracehop-spans', 'tracehop-instrumentation'];

export interface ProfiledRun extends Attribution {
  readonly behaviours: Record<string, number>;
}

export interface ProfileRow {
  readonly broker: Broker;
  readonly variant: Variant;
  /**
   * One attribution per repetition, in repetition order (repetitions ran interleaved), with
   * its µs per message by behaviour (profile-report.ts); only its 15 largest functions kept.
   */
  readonly runs: readonly ProfiledRun[];
  /** The process's CPU per message under the profiler, per repetition. */
  readonly cpu: readonly number[];
}

export async function runProfiles(brokers: Broker[], endpoints: Endpoints, { messages, size, repetitions, log }: RunSettings): Promise<ProfileRow[]> {
  const rows = new Map<string, { runs: ProfiledRun[]; cpu: number[] }>();
  const profiled = (broker: Broker) => variantsOf(broker).filter((variant) => PROFILED.includes(variant));
  for (const { repetition, broker, variant } of interleaved(brokers, repetitions, profiled)) {
    const result = await runWorker({ broker, variant, messages, size, profile: true }, endpoints);
    const attribution = result.attribution!;
    const entry = rows.get(`${broker}/${variant}`) ?? { runs: [], cpu: [] };
    entry.runs.push({ ...attribution, functions: attribution.functions.slice(0, 15), behaviours: Object.fromEntries(byBehaviour(attribution)) });
    entry.cpu.push(result.cpuMicrosPerMessage);
    rows.set(`${broker}/${variant}`, entry);
    log(`  rep ${repetition} ${`${broker}/${variant}`.padEnd(26)} instrumentation ${attribution.instrumentation.toFixed(2).padStart(6)} µs/msg of ${result.cpuMicrosPerMessage.toFixed(1)} µs CPU`);
  }
  return brokers.flatMap((broker) =>
    variantsOf(broker)
      .filter((variant) => rows.has(`${broker}/${variant}`))
      .map((variant) => ({ broker, variant, ...rows.get(`${broker}/${variant}`)! })),
  );
}
