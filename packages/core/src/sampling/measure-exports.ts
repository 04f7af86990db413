import { performance } from 'node:perf_hooks';
import { resourceGuard } from './resource-guard.js';

/** The part of an OpenTelemetry SDK `SpanExporter` that is measured (structural: no SDK import). */
export interface SpanExporterLike {
  export(spans: unknown[], resultCallback: (result: unknown) => void): void;
  shutdown(): Promise<void>;
  forceFlush?(): Promise<void>;
}

/**
 * Wraps a span exporter so that backlog sampling's resource guard sees how long exports take:
 * slower than 5 s at p99, the collector is struggling, and consumers trace less until it
 * recovers. Everything else is the exporter's own.
 *
 * ```ts
 * new BatchSpanProcessor(measureExports(new OTLPTraceExporter()))
 * ```
 */
export function measureExports<E extends SpanExporterLike>(exporter: E): E {
  const exportSpans = exporter.export.bind(exporter);
  return new Proxy(exporter, {
    get(target, property, receiver) {
      if (property !== 'export') return Reflect.get(target, property, receiver) as unknown;
      return (spans: unknown[], done: (result: unknown) => void) => {
        const started = performance.now();
        exportSpans(spans, (result) => {
          resourceGuard.recordExport(performance.now() - started);
          done(result);
        });
      };
    },
  });
}
