// Test support shared by every package's tests and the integration suite: a real SDK tracer
// provider that records finished spans in memory, and an async context manager so context
// follows awaits exactly as in an application.
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';

let contextManagerInstalled = false;

/** Installs the AsyncLocalStorage context manager once per test worker. */
export function installContextManager(): void {
  if (contextManagerInstalled) return;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  contextManagerInstalled = true;
}

export interface TestTracing {
  readonly provider: BasicTracerProvider;
  readonly exporter: InMemorySpanExporter;
  /** Finished spans so far. */
  spans(): ReadableSpan[];
  /** Finished spans with this name. */
  spansNamed(name: string): ReadableSpan[];
  reset(): void;
}

/** A fresh in-memory tracer provider (not registered globally: pass it as `tracerProvider`). */
export function createTestTracing(): TestTracing {
  installContextManager();
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return {
    provider,
    exporter,
    spans: () => exporter.getFinishedSpans(),
    spansNamed: (name) => exporter.getFinishedSpans().filter((span) => span.name === name),
    reset: () => exporter.reset(),
  };
}

/** Clears global registrations a test may have made. */
export function resetGlobals(): void {
  trace.disable();
  propagation.disable();
}

/** The parent span id of a finished span (SDK 2.x keeps it in `parentSpanContext`). */
export function parentSpanId(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}
