// The messaging metrics of a demo run, flattened from OTLP/JSON and shown as a short table
// per broker beside the waterfall.
import type { OtlpAttributes, OtlpResourceMetrics } from './collector.js';

/** One data point of one metric, with the service that recorded it. */
export interface DemoMetricPoint {
  readonly service: string;
  readonly name: string;
  readonly unit: string;
  readonly attributes: Record<string, string>;
  /** A counter's value, or a histogram's count. */
  readonly count: number;
  /** A histogram's sum and max (seconds); undefined for counters. */
  readonly sum: number | undefined;
  readonly max: number | undefined;
}

function flat(attributes: OtlpAttributes | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { key, value } of attributes ?? []) {
    out[key] = value.stringValue ?? (value.intValue !== undefined ? String(value.intValue) : String(value.boolValue));
  }
  return out;
}

export function flattenMetrics(document: { resourceMetrics: OtlpResourceMetrics[] }): DemoMetricPoint[] {
  return document.resourceMetrics.flatMap((batch) => {
    const service = batch.resource?.attributes?.find((entry) => entry.key === 'service.name')?.value.stringValue ?? '?';
    return batch.scopeMetrics.flatMap((scope) =>
      scope.metrics.flatMap((metric) => [
        ...(metric.sum?.dataPoints ?? []).map((point) => ({
          service,
          name: metric.name,
          unit: metric.unit ?? '',
          attributes: flat(point.attributes),
          count: Number(point.asInt ?? point.asDouble ?? 0),
          sum: undefined,
          max: undefined,
        })),
        ...(metric.histogram?.dataPoints ?? []).map((point) => ({
          service,
          name: metric.name,
          unit: metric.unit ?? '',
          attributes: flat(point.attributes),
          count: Number(point.count),
          sum: point.sum,
          max: point.max,
        })),
      ]),
    );
  });
}

const ms = (seconds: number | undefined) => (seconds === undefined ? '' : `${(seconds * 1000).toFixed(1)} ms`);

/** A table per `messaging.system`: metric, service, operation and destination, count, mean and max. */
export function renderMetrics(points: DemoMetricPoint[]): string {
  const lines: string[] = [];
  const systems = [...new Set(points.map((point) => point.attributes['messaging.system'] ?? '?'))];
  for (const system of systems) {
    lines.push(`metrics: ${system}`);
    const rows = points
      .filter((point) => (point.attributes['messaging.system'] ?? '?') === system)
      .map((point) => {
        const what = `${point.attributes['messaging.operation.name'] ?? '?'} ${point.attributes['messaging.destination.name'] ?? ''}`.trim();
        const error = point.attributes['error.type'] ? ` [${point.attributes['error.type']}]` : '';
        const value = point.sum === undefined ? `${point.count}` : `${point.count} × mean ${ms(point.sum / Math.max(point.count, 1))}, max ${ms(point.max)}`;
        return [point.name, point.service, what + error, value] as const;
      });
    const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i]!.length)));
    for (const row of rows) lines.push(`  ${row[0].padEnd(widths[0]!)}  ${row[1].padEnd(widths[1]!)}  ${row[2].padEnd(widths[2]!)}  ${row[3]}`);
  }
  return lines.join('\n');
}
