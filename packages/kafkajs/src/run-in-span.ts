import type { Context, Span } from '@opentelemetry/api';
import { context as contextApi } from '@opentelemetry/api';
import { recordSpanError } from '@tracehop/core';

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}

function failed(span: Span | undefined, error: unknown): void {
  if (span === undefined) return;
  recordSpanError(span, error);
  span.end();
}

/**
 * Runs `fn` with `context` active, so that everything it awaits sees it, and ends `span` when
 * `fn` has really finished: when its promise settles, not when it returns one. A throw or a
 * rejection is recorded on the span and then passed on unchanged, so that kafkajs reacts to
 * the user's error exactly as it would without tracehop (retries, crash, restart).
 */
export function runInSpan<T>(span: Span | undefined, context: Context, fn: () => T): T {
  let result: T;
  try {
    result = contextApi.with(context, fn);
  } catch (error) {
    failed(span, error);
    throw error;
  }
  if (span === undefined) return result;
  if (!isThenable(result)) {
    span.end();
    return result;
  }
  return result.then(
    (value) => {
      span.end();
      return value;
    },
    (error: unknown) => {
      failed(span, error);
      throw error;
    },
  ) as T;
}
