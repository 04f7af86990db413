// Loaded with `--import` before a README block runs in its own process: registers a real
// OpenTelemetry SDK (global tracer provider, AsyncLocalStorage context manager, W3C
// propagators — what an application's tracing setup does) and sends every ended span to
// the test process over the IPC channel.
import { SpanKind } from '@opentelemetry/api';
import { SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { ReportedSpan } from './reported-span.js';

function report(span: ReadableSpan): ReportedSpan {
  return {
    name: span.name,
    kind: SpanKind[span.kind] as ReportedSpan['kind'],
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    links: span.links.map((link) => link.context.spanId),
    status: span.status.code,
  };
}

const exporter: SpanExporter = {
  export(spans, done) {
    for (const span of spans) process.send?.(report(span));
    done({ code: 0 });
  },
  shutdown: async () => {},
};

new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).register();
