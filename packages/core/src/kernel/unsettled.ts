import type { Span } from '@opentelemetry/api';
import { SpanStatusCode } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '../semconv.js';

/**
 * Why a consumer span ended without its message being settled. Nothing was thrown, so there
 * is no exception event: the span gets status ERROR with `message`, and `error.type` `type`.
 */
export interface UnsettledReason {
  readonly type: string;
  readonly message: string;
}

/** Ends a span whose message was never settled (see `UnsettledReason`). Never throws. */
export function endUnsettled(span: Span, reason: UnsettledReason): void {
  try {
    span.setAttribute(ATTR_ERROR_TYPE, reason.type);
    span.setStatus({ code: SpanStatusCode.ERROR, message: reason.message });
  } finally {
    span.end();
  }
}
