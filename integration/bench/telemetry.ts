// The tracing setups a benchmark variant runs under.
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode } from '@opentelemetry/core';
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

export function installContextManager(): void {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

/** An SDK with a BatchSpanProcessor and a no-op exporter, registered globally. */
export function installSdk(): { provider: BasicTracerProvider; exporter: CountingNoopExporter } {
  installContextManager();
  const exporter = new CountingNoopExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: 65_536, maxExportBatchSize: 2_048, scheduledDelayMillis: 200 })],
  });
  trace.setGlobalTracerProvider(provider);
  return { provider, exporter };
}
