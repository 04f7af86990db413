// The drop-in instrumentation beside the wrappers, per broker: the same spans through two
// doors, so their per-message cost should be the same (issue 15).
import type { ThroughputRow } from './e2e.js';

export function renderInstrumentationCost(throughput: readonly ThroughputRow[]): string[] {
  const find = (broker: string, variant: string) => throughput.find((row) => row.broker === broker && row.variant === variant);
  const brokers = [...new Set(throughput.map((row) => row.broker))].filter(
    (broker) => find(broker, 'tracehop-instrumentation') !== undefined && find(broker, 'tracehop-spans') !== undefined,
  );
  if (brokers.length === 0) return [];
  const lines = [
    '## Instrumentation and wrappers',
    '',
    '`tracehop-instrumentation`: the app wraps nothing; `KafkajsInstrumentation` / `AmqplibInstrumentation` /',
    '`NsqjsInstrumentation`, registered before the client library is loaded, trace every client it creates.',
    '`tracehop-spans`: the same spans, made by wrapping the clients by hand. Same code behind both doors; the',
    "instrumentation adds one check of its switch per message (instrumentation-gate.ts).",
    '',
    '| broker | wrappers CPU/msg | instrumentation CPU/msg | CPU ratio | wrappers msg/s | instrumentation msg/s | msg/s ratio |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const broker of brokers) {
    const wrappers = find(broker, 'tracehop-spans')!;
    const instrumentation = find(broker, 'tracehop-instrumentation')!;
    lines.push(
      `| ${broker} | ${wrappers.cpuMedian.toFixed(1)} µs | ${instrumentation.cpuMedian.toFixed(1)} µs | ${(instrumentation.cpuMedian / wrappers.cpuMedian).toFixed(2)}× | ` +
        `${Math.round(wrappers.median)} | ${Math.round(instrumentation.median)} | ${(instrumentation.median / wrappers.median).toFixed(2)}× |`,
    );
  }
  lines.push('');
  return lines;
}
