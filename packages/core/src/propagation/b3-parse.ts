import type { SpanContext, TextMapGetter } from '@opentelemetry/api';
import { TraceFlags } from '@opentelemetry/api';
import {
  codeAt,
  firstOf,
  idAt,
  readSources,
  textAt,
  valueEnd,
  valueStart,
  type HeaderSource,
  type ReadSource,
} from './header-source.js';
import { isLowerHexIdAt, padHex } from './hex.js';

/** Header names, lowercase as B3 recommends for case-sensitive transports. */
export const B3_SINGLE_HEADER = 'b3';
export const X_B3_TRACE_ID = 'x-b3-traceid';
export const X_B3_SPAN_ID = 'x-b3-spanid';
export const X_B3_SAMPLED = 'x-b3-sampled';
export const X_B3_FLAGS = 'x-b3-flags';
/** Every multi header starts so ("All B3 headers follows the convention of X-B3-${name}"). */
export const X_B3_PREFIX = 'x-b3-';

/** `{TraceId}-{SpanId}-{SamplingState}-{ParentSpanId}`: 32 + 1 + 16 + 1 + 1 + 1 + 16. */
export const B3_SINGLE_MAX_LENGTH = 68;

/** A B3 context that carries ids. */
export interface B3Context {
  readonly spanContext: SpanContext;
  /** The debug flag (`b3: …-d`, `X-B3-Flags: 1`): force-trace, implies sampled. */
  readonly debug: boolean;
}

/** Sampling state sent on its own, without ids (`b3: 0`, or only `X-B3-Sampled`). */
export const SAMPLING_ONLY = Symbol('B3 sampling state without ids');

/** What one B3 encoding yields: ids, sampling only, or nothing (absent or malformed). */
export type B3Parsed = B3Context | typeof SAMPLING_ONLY | undefined;

const DASH = 0x2d;

// Sampling states of the single header, as numbers (no allocation on the hot path).
const DENY = 0;
const ACCEPT = 1;
const DEBUG = 2;

/** `1` accept, `0` deny, `d` debug (which implies accept); -1 for anything else. */
function samplingOf(c: number): number {
  return c === 0x31 ? ACCEPT : c === 0x30 ? DENY : c === 0x64 ? DEBUG : -1;
}

function context(traceId: string, spanId: string, sampled: boolean, debug: boolean): B3Context {
  return {
    // 64-bit trace ids are left-padded to 128 bits (OpenTelemetry ids are 16 bytes).
    spanContext: {
      traceId: padHex(traceId, 32),
      spanId,
      traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
      isRemote: true,
    },
    debug,
  };
}

/**
 * Parses a `b3` single header (b3-propagation "Single Header"), given as text or as the
 * bytes of a Buffer, strictly: the trace id is 16 or 32 lowercase hex and starts the value,
 * the span id 16; the sampling state, if present, is exactly one of `0`, `1`, `d`; the parent
 * span id, if present, 16 hex and last. Ids of another length are refused, never cut;
 * nothing may precede or follow the fields. Deferred sampling (no state) becomes "not
 * sampled": OpenTelemetry has no deferred state.
 */
export function parseB3Single(source: HeaderSource): B3Parsed {
  const start = valueStart(source, B3_SINGLE_MAX_LENGTH);
  if (start === -1) return undefined;
  const end = valueEnd(source, start);
  if (end - start > B3_SINGLE_MAX_LENGTH) return undefined;
  if (end - start === 1) return samplingOf(codeAt(source, start)) === -1 ? undefined : SAMPLING_ONLY;
  const traceEnd = codeAt(source, start + 16) === DASH ? start + 16 : codeAt(source, start + 32) === DASH ? start + 32 : -1;
  if (traceEnd === -1 || !isLowerHexIdAt(source, start, traceEnd)) return undefined;
  const spanEnd = traceEnd + 17;
  if (spanEnd > end || !isLowerHexIdAt(source, traceEnd + 1, spanEnd)) return undefined;
  let sampling = DENY;
  if (end !== spanEnd) {
    sampling = codeAt(source, spanEnd) === DASH ? samplingOf(codeAt(source, spanEnd + 1)) : -1;
    if (sampling === -1) return undefined;
    const parentStart = spanEnd + 3;
    if (end !== spanEnd + 2) {
      // The parent span id is validated but never used: OpenTelemetry does not share span
      // ids between the two sides of a call (propagators spec, "B3 Inject").
      if (codeAt(source, spanEnd + 2) !== DASH || end !== parentStart + 16) return undefined;
      if (!isLowerHexIdAt(source, parentStart, parentStart + 16)) return undefined;
    }
  }
  const traceId = idAt(source, start, traceEnd - start === 16 ? 16 : 32);
  return context(traceId, idAt(source, traceEnd + 1, 16), sampling !== DENY, sampling === DEBUG);
}

/**
 * `X-B3-Sampled`: `1` accept, `0` deny (b3-propagation "Sampling State"); `true` and
 * `false` as the spec allows a lenient implementation to accept. Anything else is invalid
 * (null); absent is undefined (defer).
 */
function parseSampled(source: HeaderSource | undefined): boolean | null | undefined {
  if (source === undefined) return undefined;
  const start = valueStart(source, 5);
  if (start === -1) return null;
  const end = valueEnd(source, start);
  if (end - start === 1) {
    const c = codeAt(source, start);
    return c === 0x31 ? true : c === 0x30 ? false : null;
  }
  const text = textAt(source, start, end);
  return text === 'true' ? true : text === 'false' ? false : null;
}

/** An X-B3 id: 16 (or, for the trace id, 32) lowercase hex characters. */
function idOf(source: HeaderSource, traceId: boolean): string | undefined {
  const start = valueStart(source, 32);
  if (start === -1) return undefined;
  const length = valueEnd(source, start) - start;
  if (!(length === 16 || (traceId && length === 32)) || !isLowerHexIdAt(source, start, start + length)) return undefined;
  return idAt(source, start, length);
}

const MULTI_HEADERS = [B3_SINGLE_HEADER, X_B3_TRACE_ID, X_B3_SPAN_ID, X_B3_SAMPLED, X_B3_FLAGS] as const;

/** Reads every B3 header in one pass: `b3`, then the four multi headers, in this order. */
export function readB3Headers(getter: TextMapGetter, carrier: unknown): ReadSource[] {
  return readSources(getter, carrier, MULTI_HEADERS);
}

/**
 * Parses the multi headers read by `readB3Headers` (b3-propagation "Multiple Headers"; the
 * first value of a repeated header wins). Trace and span id are required together; sampling
 * headers alone are SAMPLING_ONLY. `X-B3-Flags: 1` is debug and implies sampled; other flag
 * values are ignored as the spec says. `X-B3-ParentSpanId` is never read.
 */
export function parseB3Multi(values: readonly ReadSource[]): B3Parsed {
  const rawTraceId = firstOf(values[1]);
  const rawSpanId = firstOf(values[2]);
  const rawSampled = firstOf(values[3]);
  const rawFlags = firstOf(values[4]);
  const sampled = parseSampled(rawSampled);
  let debug = false;
  if (rawFlags !== undefined) {
    const start = valueStart(rawFlags, 1);
    debug = start !== -1 && valueEnd(rawFlags, start) === start + 1 && codeAt(rawFlags, start) === 0x31;
  }
  if (rawTraceId === undefined && rawSpanId === undefined) {
    return rawSampled !== undefined || rawFlags !== undefined ? SAMPLING_ONLY : undefined;
  }
  if (rawTraceId === undefined || rawSpanId === undefined || sampled === null) return undefined;
  const traceId = idOf(rawTraceId, true);
  const spanId = idOf(rawSpanId, false);
  if (traceId === undefined || spanId === undefined) return undefined;
  return context(traceId, spanId, debug || sampled === true, debug);
}
