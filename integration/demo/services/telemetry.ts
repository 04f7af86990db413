// What every demo service does first, the way a user sets up OpenTelemetry: an SDK tracer
// provider exporting OTLP over HTTP, with the async context manager, and an SDK meter
// provider whose metrics (tracehop's messaging metrics) go to the same collector as OTLP/JSON.
import { metrics } from '@opentelemetry/api';
import { JsonMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export interface Telemetry {
  shutdown(): Promise<void>;
}

/** OTLP/HTTP JSON for metrics, with the serializer the trace exporter uses (no extra exporter package). */
function metricExporter(url: string): PushMetricExporter {
  return {
    export(resourceMetrics: ResourceMetrics, done) {
      const body = JsonMetricsSerializer.serializeRequest(resourceMetrics);
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? '{}' : Buffer.from(body) }).then(
        (response) => done({ code: response.ok ? 0 : 1 }),
        (error: Error) => done({ code: 1, error }),
      );
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
}

export function startTelemetry(service: string): Telemetry {
  const resource = resourceFromAttributes({ 'service.name': service });
  const provider = new NodeTracerProvider({
    resource,
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: process.env.DEMO_OTLP_URL }), { scheduledDelayMillis: 200 }),
    ],
  });
  // `propagator: null`: leave the format to tracehop, which reads OTEL_PROPAGATORS itself
  // (the SDK would otherwise register its own W3C propagator globally).
  provider.register({ propagator: null });
  // Exported once, at shutdown (a run is short): every metric of the run in one document.
  const metricsUrl = (process.env.DEMO_OTLP_URL ?? '').replace(/\/v1\/traces$/, '/v1/metrics');
  const meterProvider = new MeterProvider({
    resource,
    readers: [new PeriodicExportingMetricReader({ exporter: metricExporter(metricsUrl), exportIntervalMillis: 600_000 })],
  });
  metrics.setGlobalMeterProvider(meterProvider);
  return { shutdown: async () => void (await Promise.all([provider.shutdown(), meterProvider.shutdown()])) };
}
