// The "Backlog-aware sampling" section of docs/benchmarks.md (measured by sampling.ts).

export interface SamplingBench {
  /** Median ns of one decision, and of the loop around it (a no-op in its place). */
  readonly decisionNs: number;
  readonly baselineNs: number;
  readonly drain: ReadonlyArray<{ readonly mode: 'full' | 'sampled'; readonly perSecond: number[]; readonly cpu: number[]; readonly spans: number[] }>;
  readonly messages: number;
  readonly capacity: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export function renderSampling(result: SamplingBench | undefined): string[] {
  if (result === undefined) return [];
  const row = (mode: 'full' | 'sampled') => result.drain.find((entry) => entry.mode === mode)!;
  const full = row('full');
  const sampled = row('sampled');
  const rates = full.perSecond.map((value, i) => (sampled.perSecond[i] ?? Number.NaN) / value);
  const cpu = full.cpu.map((value, i) => (sampled.cpu[i] ?? Number.NaN) / value);
  return [
    '## Backlog-aware sampling',
    '',
    `One decision costs **${result.decisionNs.toFixed(1)} ns** per message (median; the loop around it alone: ${result.baselineNs.toFixed(1)} ns). ` +
      `Draining a backlog of ${result.messages} messages (256 B, each its own trace) from nsqd with a traced reader, ` +
      `full tracing against \`sampling: { backlog: { capacity: ${result.capacity} } }\`, alternating fresh processes (${full.perSecond.length} runs each):`,
    '',
    '| | drain msg/s (median) | CPU µs / msg (median) | spans exported (median) |',
    '| --- | ---: | ---: | ---: |',
    `| full tracing | ${Math.round(median(full.perSecond))} | ${median(full.cpu).toFixed(1)} | ${median(full.spans)} |`,
    `| backlog sampling | ${Math.round(median(sampled.perSecond))} | ${median(sampled.cpu).toFixed(1)} | ${median(sampled.spans)} |`,
    '',
    `Sampled / full, per pair of runs — drain rate: ${rates.map((ratio) => `${ratio.toFixed(2)}×`).join(', ')} (median ${median(rates).toFixed(2)}×); ` +
      `consumer CPU per message: ${cpu.map((ratio) => `${ratio.toFixed(2)}×`).join(', ')} (median ${median(cpu).toFixed(2)}×).`,
    '',
  ];
}
