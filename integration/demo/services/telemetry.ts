// What every demo service does first, the way a user sets up OpenTelemetry: an SDK tracer
// provider exporting OTLP over HTTP, with the async context manager.
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export interface Telemetry {
  shutdown(): Promise<void>;
}

export function startTelemetry(service: string): Telemetry {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: process.env.DEMO_OTLP_URL }), { scheduledDelayMillis: 200 }),
    ],
  });
  // `propagator: null`: leave the format to tracehop, which reads OTEL_PROPAGATORS itself
  // (the SDK would otherwise register its own W3C propagator globally).
  provider.register({ propagator: null });
  return { shutdown: () => provider.shutdown() };
}
