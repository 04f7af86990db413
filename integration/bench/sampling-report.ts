// The "Backlog-aware sampling" section of docs/benchmarks.md (measured by sampling.ts).

export interface SamplingBench {
  /** Median ns of one decision, and of the loop around it (a no-op in its place). */
  readonly decisionNs: number;
  readonly baselineNs: number;
  readonly drain: ReadonlyArray<{
    readonly broker: 'kafka' | 'nsq';
    readonly mode: 'full' | 'sampled';
    readonly perSecond: number[];
    readonly cpu: number[];
    readonly spans: number[];
  }>;
  readonly messages: number;
  readonly capacity: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export function renderSampling(result: SamplingBench | undefined): string[] {
  if (result === undefined) return [];
  const lines = [
    '## Backlog-aware sampling',
    '',
    `One decision costs **${result.decisionNs.toFixed(1)} ns** per message (median; the loop around it alone: ${result.baselineNs.toFixed(1)} ns). ` +
      `Draining a backlog of ${result.messages} messages (256 B, each its own trace) with a traced consumer, full tracing against ` +
      `\`sampling: { backlog: { capacity: ${result.capacity} } }\`, alternating fresh processes:`,
    '',
    '| broker | | drain msg/s (median) | consumer CPU µs / msg (median) | spans exported (median) | sampled / full, per pair: drain rate · CPU |',
    '| --- | --- | ---: | ---: | ---: | --- |',
  ];
  for (const broker of ['kafka', 'nsq'] as const) {
    const row = (mode: 'full' | 'sampled') => result.drain.find((entry) => entry.broker === broker && entry.mode === mode);
    const full = row('full');
    const sampled = row('sampled');
    if (full === undefined || sampled === undefined) continue;
    const rates = full.perSecond.map((value, i) => (sampled.perSecond[i] ?? Number.NaN) / value);
    const cpu = full.cpu.map((value, i) => (sampled.cpu[i] ?? Number.NaN) / value);
    lines.push(`| ${broker} | full tracing | ${Math.round(median(full.perSecond))} | ${median(full.cpu).toFixed(1)} | ${median(full.spans)} | |`);
    lines.push(
      `| ${broker} | backlog sampling | ${Math.round(median(sampled.perSecond))} | ${median(sampled.cpu).toFixed(1)} | ${median(sampled.spans)} | ` +
        `${rates.map((r) => `${r.toFixed(2)}×`).join(' ')} (median ${median(rates).toFixed(2)}×) · ${cpu.map((r) => `${r.toFixed(2)}×`).join(' ')} (median ${median(cpu).toFixed(2)}×) |`,
    );
  }
  lines.push('');
  return lines;
}
