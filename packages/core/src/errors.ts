import type { Span } from '@opentelemetry/api';
import { SpanStatusCode } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE, ERROR_TYPE_OTHER } from './semconv.js';

/**
 * The `error.type` of an error (semconv "error.type"): the error's class or name, such as
 * `KafkaJSNumberOfRetriesExceeded`, or `_OTHER` when there is nothing better.
 */
export function errorType(error: unknown): string {
  if (error instanceof Error) {
    const name = error.name && error.name !== 'Error' ? error.name : error.constructor?.name;
    if (name) return name;
  }
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' || typeof code === 'number') return String(code);
  }
  return ERROR_TYPE_OTHER;
}

/** Records `error` on `span` (exception event, ERROR status, `error.type`). Never throws. */
export function recordSpanError(span: Span, error: unknown): void {
  try {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof Error) span.recordException(error);
    else span.recordException({ name: errorType(error), message });
    span.setAttribute(ATTR_ERROR_TYPE, errorType(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message });
  } catch {
    // Recording must never turn into a second error in the user's path.
  }
}
