import type { Context } from '@opentelemetry/api';
import { createContextKey } from '@opentelemetry/api';

// The key `@opentelemetry/core` uses to suppress tracing (e.g. around an exporter's own
// requests). `createContextKey` is `Symbol.for`, so the same description is the same key,
// without a run-time dependency on that package.
const SUPPRESS_TRACING_KEY = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

/** Whether tracing is suppressed in `context`: propagators then inject nothing, as the stock ones. */
export function isTracingSuppressed(context: Context): boolean {
  return context.getValue(SUPPRESS_TRACING_KEY) === true;
}
