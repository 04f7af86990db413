// The tracing setups a benchmark variant runs under.
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, ExportResultCode, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';

/** Counts spans and drops them: the cost measured is making spans, not shipping them. */
export class CountingNoopExporter implements SpanExporter {
  exported = 0;
  export(spans: ReadableSpan[], done: (result: { code: ExportResultCode }) => void): void {
    this.exported += spans.length;
    done({ code: ExportResultCode.SUCCESS });
  }
  async shutdown(): Promise<void> {}
}

/**
 * The context manager every traced Node application runs. Node's AsyncLocalStorage starts
 * tracking async resources (a hook on every promise) the first time a context is entered, not
 * when it is created: one is entered here, as any instrumented application does on its first
 * request, so that every variant with a context manager pays that cost alike.
 */
export function installContextManager(): void {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  context.with(context.active(), () => undefined);
}

/**
 * An SDK with a BatchSpanProcessor and a no-op exporter, registered globally, with the W3C
 * trace context and baggage propagator registered as NodeSDK and `NodeTracerProvider.register()`
 * do by default: the official instrumentations inject and extract through the global
 * propagator, and without one registered they would carry no context at all (doing less work
 * than tracehop, which reads `OTEL_PROPAGATORS`, set to the same formats by e2e.ts).
 */
export function installSdk(): { provider: BasicTracerProvider; exporter: CountingNoopExporter } {
  installContextManager();
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  const exporter = new CountingNoopExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: 65_536, maxExportBatchSize: 2_048, scheduledDelayMillis: 200 })],
  });
  trace.setGlobalTracerProvider(provider);
  return { provider, exporter };
}

/** Drops what it is given: the cost measured is recording and aggregating, not shipping. */
const noopMetricExporter: PushMetricExporter = {
  export: (_metrics, done) => done({ code: ExportResultCode.SUCCESS }),
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

/**
 * An SDK MeterProvider registered globally, as NodeSDK does with a metric reader configured,
 * collecting every second (aggregation happens as values are recorded; each collection walks
 * them): tracehop's metrics and the official instrumentation's own are then recorded. Called
 * before any client or instrumentation is made, as an application's setup would be.
 */
export function installMeterSdk(): MeterProvider {
  const provider = new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter: noopMetricExporter, exportIntervalMillis: 1000 })] });
  metrics.setGlobalMeterProvider(provider);
  return provider;
}
