import type { Context } from '@opentelemetry/api';
import { createContextKey } from '@opentelemetry/api';
import { withValue } from './overlay-context.js';

/**
 * W3C Trace Context Level 2's random-trace-id flag (§3.2.2.5.2 "Random Trace ID Flag"): the
 * trace id's rightmost 7 bytes are random. It describes the trace id, so it holds for every
 * span of the trace and must travel on with it. The OpenTelemetry JS API keeps only the
 * sampled bit of a new span's flags, so a consumer that continues a trace would drop it at
 * the first hop; tracehop keeps the flags received with the trace id under this key, and its
 * tracecontext inject writes the bit again for any span of that same trace.
 */
export const RANDOM_TRACE_ID_FLAG_KEY = createContextKey('tracehop W3C random-trace-id flag');

/** The random-trace-id bit of trace-flags. */
export const RANDOM_TRACE_ID_FLAG = 0x02;

/** What the key holds: the trace id the flags came with, and the flags as received. */
export interface ReceivedTraceFlags {
  readonly traceId: string;
  readonly traceFlags: number;
}

/**
 * `context` with the flags received for `traceId` recorded, when they carry the random bit;
 * a value left by an earlier extract is cleared otherwise, so that it cannot outlive its trace.
 */
export function withReceivedTraceFlags(context: Context, traceId: string, traceFlags: number): Context {
  if ((traceFlags & RANDOM_TRACE_ID_FLAG) !== 0) {
    const received: ReceivedTraceFlags = Object.freeze({ traceId, traceFlags });
    return withValue(context, RANDOM_TRACE_ID_FLAG_KEY, received);
  }
  return context.getValue(RANDOM_TRACE_ID_FLAG_KEY) === undefined ? context : withValue(context, RANDOM_TRACE_ID_FLAG_KEY, undefined);
}

/**
 * The random-trace-id bit to write for a span of `traceId` in `context`: set only when the
 * flag was received for that very trace id (a span of another trace, say a new root started
 * under a `link` policy, has an id nobody vouched for).
 */
export function randomFlagFor(context: Context, traceId: string): number {
  const received = context.getValue(RANDOM_TRACE_ID_FLAG_KEY) as ReceivedTraceFlags | undefined;
  if (received === undefined || typeof received !== 'object' || received.traceId !== traceId) return 0;
  return received.traceFlags & RANDOM_TRACE_ID_FLAG;
}
