import { attribute, type DemoSpan } from './collector.js';
import type { HopEvent } from './services/protocol.js';

const KINDS: Record<number, string> = { 1: 'INTERNAL', 2: 'SERVER', 3: 'CLIENT', 4: 'PRODUCER', 5: 'CONSUMER' };
const BAR_WIDTH = 32;

const nanos = (value: string) => BigInt(value);

/** Renders each trace as a waterfall: one line per span, indented by parentage. */
export function renderWaterfall(spans: DemoSpan[]): string {
  const lines: string[] = [];
  const byTrace = new Map<string, DemoSpan[]>();
  for (const span of spans) byTrace.set(span.traceId, [...(byTrace.get(span.traceId) ?? []), span]);
  const traces = [...byTrace.values()].sort((a, b) => Number(earliest(a) - earliest(b)));
  for (const trace of traces) {
    lines.push(`trace ${trace[0]!.traceId}`);
    const start = earliest(trace);
    const end = trace.reduce((max, span) => (nanos(span.endTimeUnixNano) > max ? nanos(span.endTimeUnixNano) : max), 0n);
    const total = Number(end - start) || 1;
    const ids = new Set(trace.map((span) => span.spanId));
    const children = new Map<string, DemoSpan[]>();
    const roots: DemoSpan[] = [];
    for (const span of trace) {
      if (span.parentSpanId && ids.has(span.parentSpanId)) {
        children.set(span.parentSpanId, [...(children.get(span.parentSpanId) ?? []), span]);
      } else roots.push(span);
    }
    const depthOf = (span: DemoSpan): number => {
      const parent = trace.find((other) => other.spanId === span.parentSpanId);
      return parent ? depthOf(parent) + 1 : 0;
    };
    const labelWidth = Math.max(...trace.map((span) => span.name.length + 2 * depthOf(span))) + 1;
    const walk = (span: DemoSpan, depth: number) => {
      const from = Number(nanos(span.startTimeUnixNano) - start) / total;
      const width = Number(nanos(span.endTimeUnixNano) - nanos(span.startTimeUnixNano)) / total;
      const offset = Math.min(BAR_WIDTH - 1, Math.round(from * BAR_WIDTH));
      const length = Math.max(1, Math.min(BAR_WIDTH - offset, Math.round(width * BAR_WIDTH)));
      const bar = ' '.repeat(offset) + '█'.repeat(length) + ' '.repeat(BAR_WIDTH - offset - length);
      const ms = (Number(nanos(span.endTimeUnixNano) - nanos(span.startTimeUnixNano)) / 1e6).toFixed(1);
      const label = `${'  '.repeat(depth)}${span.name}`;
      const broker = attribute(span, 'messaging.system') ?? '';
      const link = span.links?.length ? `  ↪ link to ${span.links[0]!.spanId}` : '';
      lines.push(
        `  ${label.padEnd(labelWidth)} ${span.service.padEnd(9)} ${(KINDS[span.kind] ?? '?').padEnd(8)} ${broker.padEnd(8)} |${bar}| ${ms.padStart(7)} ms${link}`,
      );
      const kids = (children.get(span.spanId) ?? []).sort((a, b) => Number(nanos(a.startTimeUnixNano) - nanos(b.startTimeUnixNano)));
      for (const child of kids) walk(child, depth + 1);
    };
    for (const root of roots.sort((a, b) => Number(nanos(a.startTimeUnixNano) - nanos(b.startTimeUnixNano)))) walk(root, 0);
    lines.push('');
  }
  return lines.join('\n');
}

function earliest(spans: DemoSpan[]): bigint {
  return spans.reduce((min, span) => (nanos(span.startTimeUnixNano) < min ? nanos(span.startTimeUnixNano) : min), nanos(spans[0]!.startTimeUnixNano));
}

/** The exact headers each consumer received, hop by hop. */
export function renderHops(hops: HopEvent[]): string {
  const lines = ['headers on the wire, as each consumer received them:'];
  for (const hop of hops) {
    lines.push(`  ${hop.broker} ${hop.destination} → ${hop.service}`);
    for (const [key, value] of Object.entries(hop.headers)) lines.push(`      ${key}: ${value}`);
  }
  return lines.join('\n');
}
