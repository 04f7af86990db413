// tracehop against what a user would write by hand (issue 18): with spans, its CPU per message
// as a ratio to `handrolled`; without, the µs it adds beyond `raw-header` (the raw client
// carrying the same header bytes). Each repetition runs every variant once, so the figures
// are also taken per repetition, pairwise: their range is the spread a difference must exceed.
import type { ThroughputRow } from './e2e.js';
import { formatRatio } from './ratio.js';
import { floorRowsOf } from './variants.js';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Per-repetition pairs of two rows' CPU figures, combined by `f`. */
function paired(a: ThroughputRow, b: ThroughputRow, f: (x: number, y: number) => number): number[] {
  const n = Math.min(a.cpuSamples.length, b.cpuSamples.length);
  return Array.from({ length: n }, (_, i) => f(a.cpuSamples[i]!, b.cpuSamples[i]!));
}

const range = (values: number[], digits: number, unit: string) =>
  `${Math.min(...values).toFixed(digits)}${unit} … ${Math.max(...values).toFixed(digits)}${unit}`;

export function renderFloor(throughput: readonly ThroughputRow[]): string[] {
  const find = (broker: string, variant: string) => throughput.find((row) => row.broker === broker && row.variant === variant);
  const brokers = [...new Set(throughput.map((row) => row.broker))].filter((broker) => find(broker, 'handrolled') !== undefined || find(broker, 'raw-header') !== undefined);
  if (brokers.length === 0) return [];
  const lines = [
    '## Against hand-written instrumentation',
    '',
    '`handrolled`: the stock W3C propagators (the composite NodeSDK registers), one PRODUCER span per message injected',
    'into its headers (NSQ: an envelope from `encodeEnvelope`), one CONSUMER span per message around the handler, ended at',
    'settlement. `raw-header`: the raw client under the context manager carrying the same header bytes by hand (NSQ: the',
    'envelope, decoded on delivery). Ratios and differences are taken per repetition (pairwise) and their median and',
    'range shown: a difference is real only where the whole range is on one side.',
    '',
    '| broker | handrolled CPU/msg | tracehop-spans CPU/msg | spans ÷ handrolled (range) | instrumentation ÷ handrolled (range) | target ≤ 1.0× | raw-header CPU/msg | tracehop-nospans CPU/msg | nospans − raw-header (range) | target ≤ 1 µs |',
    '| --- | ---: | ---: | --- | --- | :---: | ---: | ---: | --- | :---: |',
  ];
  for (const broker of brokers) {
    const { floor, spans, instrumentation, header, nospans } = floorRowsOf(throughput, broker);
    const cells: string[] = [broker, floor ? `${floor.cpuMedian.toFixed(1)} µs` : '—', spans ? `${spans.cpuMedian.toFixed(1)} µs` : '—'];
    if (floor && spans) {
      const ratios = paired(spans, floor, (x, y) => x / y);
      cells.push(`${formatRatio(median(ratios), 1)} (${range(ratios, 2, '×')})`);
    } else cells.push('—');
    if (floor && instrumentation) {
      const ratios = paired(instrumentation, floor, (x, y) => x / y);
      cells.push(`${formatRatio(median(ratios), 1)} (${range(ratios, 2, '×')})`);
    } else cells.push('—');
    cells.push(floor && spans ? (median(paired(spans, floor, (x, y) => x / y)) <= 1 ? '✅' : '❌') : '—');
    cells.push(header ? `${header.cpuMedian.toFixed(1)} µs` : '—', nospans ? `${nospans.cpuMedian.toFixed(1)} µs` : '—');
    if (header && nospans) {
      const added = paired(nospans, header, (x, y) => x - y);
      cells.push(`${median(added).toFixed(1)} µs (${range(added, 1, ' µs')})`, median(added) <= 1 ? '✅' : '❌');
    } else cells.push('—', '—');
    lines.push(`| ${cells.join(' | ')} |`);
  }
  lines.push('');
  return lines;
}
