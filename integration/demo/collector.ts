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

/** A tiny OTLP/HTTP (JSON) trace receiver on loopback: what the demo's services export to. */
export class OtlpCollector {
  readonly batches: OtlpResourceSpans[] = [];
  #server: Server | undefined;

  /** Starts listening on 127.0.0.1 (a free port); returns the traces endpoint URL. */
  async start(): Promise<string> {
    this.#server = createServer((request, response) => {
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { resourceSpans?: OtlpResourceSpans[] };
          this.batches.push(...(body.resourceSpans ?? []));
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
