import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One span as OTLP/JSON carries it (only the fields the demo reads). */
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes?: Array<{ key: string; value: { stringValue?: string; intValue?: string | number; boolValue?: boolean } }>;
  links?: Array<{ traceId: string; spanId: string }>;
}

export interface OtlpResourceSpans {
  resource?: { attributes?: Array<{ key: string; value: { stringValue?: string } }> };
  scopeSpans: Array<{ scope?: { name: string; version?: string }; spans: OtlpSpan[] }>;
}

/** One metric as OTLP/JSON carries it (only the fields the demo reads). */
export interface OtlpMetric {
  name: string;
  unit?: string;
  sum?: { dataPoints: OtlpNumberPoint[] };
  histogram?: { dataPoints: OtlpHistogramPoint[] };
}

export type OtlpAttributes = NonNullable<OtlpSpan['attributes']>;

export interface OtlpNumberPoint {
  attributes?: OtlpAttributes;
  asInt?: string | number;
  asDouble?: number;
}

export interface OtlpHistogramPoint {
  attributes?: OtlpAttributes;
  count: string | number;
  sum?: number;
  min?: number;
  max?: number;
}

export interface OtlpResourceMetrics {
  resource?: { attributes?: Array<{ key: string; value: { stringValue?: string } }> };
  scopeMetrics: Array<{ scope?: { name: string; version?: string }; metrics: OtlpMetric[] }>;
}

/** A tiny OTLP/HTTP (JSON) trace and metrics receiver on loopback: what the demo's services export to. */
export class OtlpCollector {
  readonly batches: OtlpResourceSpans[] = [];
  readonly metricBatches: OtlpResourceMetrics[] = [];
  #server: Server | undefined;

  /** Starts listening on 127.0.0.1 (a free port); returns the traces endpoint URL. */
  async start(): Promise<string> {
    this.#server = createServer((request, response) => {
      if (request.method !== 'POST' || (request.url !== '/v1/traces' && request.url !== '/v1/metrics')) {
        response.writeHead(404).end();
        return;
      }
      const traces = request.url === '/v1/traces';
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            resourceSpans?: OtlpResourceSpans[];
            resourceMetrics?: OtlpResourceMetrics[];
          };
          if (traces) this.batches.push(...(body.resourceSpans ?? []));
          else this.metricBatches.push(...(body.resourceMetrics ?? []));
          response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        } catch {
          response.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/v1/traces`;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    // Exporters keep their HTTP connections alive; close them rather than wait for them.
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Everything received, as one OTLP/JSON document (`ExportTraceServiceRequest`). */
  document(): { resourceSpans: OtlpResourceSpans[] } {
    return { resourceSpans: this.batches };
  }

  /** Every metric received, as one OTLP/JSON document (`ExportMetricsServiceRequest`). */
  metricsDocument(): { resourceMetrics: OtlpResourceMetrics[] } {
    return { resourceMetrics: this.metricBatches };
  }
}

/** A flattened span with the service that produced it. */
export interface DemoSpan extends OtlpSpan {
  service: string;
  attributes: NonNullable<OtlpSpan['attributes']>;
}

export function flattenSpans(batches: OtlpResourceSpans[]): DemoSpan[] {
  return batches.flatMap((batch) => {
    const service =
      batch.resource?.attributes?.find((attribute) => attribute.key === 'service.name')?.value.stringValue ?? '?';
    return batch.scopeSpans.flatMap((scope) =>
      scope.spans.map((span) => ({ ...span, attributes: span.attributes ?? [], service })),
    );
  });
}

export function attribute(span: DemoSpan, key: string): string | undefined {
  const value = span.attributes.find((entry) => entry.key === key)?.value;
  if (value === undefined) return undefined;
  return value.stringValue ?? (value.intValue !== undefined ? String(value.intValue) : String(value.boolValue));
}
