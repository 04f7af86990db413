import type { Context, SpanContext, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { diag, trace } from '@opentelemetry/api';
import { codeAt, idAt, readSources, valueEnd, valueStart, type Conflicting, type HeaderSource } from './header-source.js';
import { areWritableIds, hexDigitValue, isLowerHexBytes, isLowerHexChar, isLowerHexText, traceFlagsOf } from './hex.js';
import { withSpanContext } from './overlay-context.js';
import { declareTraits } from './propagator-traits.js';
import { randomFlagFor, withReceivedTraceFlags } from './random-trace-id-flag.js';
import { isTracingSuppressed } from './suppress-tracing.js';
import { parseTraceState, traceStateHeader } from './trace-state.js';

export const TRACEPARENT_HEADER = 'traceparent';
export const TRACESTATE_HEADER = 'tracestate';

/** Version 00 is exactly 55 characters (W3C trace-context §3.2.2). */
const VERSION_00_LENGTH = 55;
/**
 * The longest traceparent of a future version read (§3.2.4 "only disallow prohibitively
 * large headers"); checked before anything is parsed.
 */
export const TRACEPARENT_MAX_LENGTH = 512;
/**
 * The flags this version defines: sampled (0x01) and, in Level 2, random-trace-id (0x02).
 * Other bits "MUST be set to zero" (§3.2.2.5), so they are masked on extract and never
 * written: flags `ff` continue as `03`, never as the invalid `0ff`.
 */
const KNOWN_FLAGS = 0x03;
const DASH = 0x2d;
const FLAG_TEXT = ['00', '01', '02', '03'] as const;
const HEADERS = [TRACEPARENT_HEADER, TRACESTATE_HEADER] as const;

/**
 * Parses a traceparent value (W3C Trace Context Level 2 §3.2), given as text or as the bytes
 * of a Buffer. Returns undefined for anything the spec says to ignore: wrong shape or
 * length, uppercase hex, all-zero ids, version `ff`, version 00 with trailing data. A higher
 * version is parsed by its first four fields (§3.2.4): 55 characters, or more after a dash.
 */
export function parseTraceParent(source: HeaderSource): SpanContext | undefined {
  let start = 0;
  let end = source.length;
  if (end !== VERSION_00_LENGTH) {
    // Not the common exact form: surrounding whitespace, or a future version, or garbage.
    start = valueStart(source, TRACEPARENT_MAX_LENGTH);
    if (start === -1) return undefined;
    end = valueEnd(source, start);
  }
  const length = end - start;
  if (length < VERSION_00_LENGTH || length > TRACEPARENT_MAX_LENGTH) return undefined;
  const flags = typeof source === 'string' ? checkText(source, start) : checkBytes(source, start);
  if (flags === -1) return undefined;
  // Version 00 is exactly 55 characters; a higher one continues after a dash, if at all.
  const version00 = codeAt(source, start) === 0x30 && codeAt(source, start + 1) === 0x30;
  if (length > VERSION_00_LENGTH && (version00 || codeAt(source, start + VERSION_00_LENGTH) !== DASH)) return undefined;
  return { traceId: idAt(source, start + 3, 32), spanId: idAt(source, start + 36, 16), traceFlags: flags & KNOWN_FLAGS, isRemote: true };
}

// The fixed fields from `s`: version (2 hex, not ff), dash, trace-id (32 hex, not all zero),
// dash, parent-id (16 hex, not all zero), dash, flags (2 hex). The flags byte, or -1.
// Written once per representation, so that each loop reads its input directly.

function checkText(t: string, s: number): number {
  if (t.charCodeAt(s + 2) !== DASH || t.charCodeAt(s + 35) !== DASH || t.charCodeAt(s + 52) !== DASH) return -1;
  const ids = isLowerHexText(t, s + 3, s + 35) && isLowerHexText(t, s + 36, s + 52);
  return checkCodes(t.charCodeAt(s), t.charCodeAt(s + 1), t.charCodeAt(s + 53), t.charCodeAt(s + 54), ids);
}

function checkBytes(b: Buffer, s: number): number {
  if (b[s + 2] !== DASH || b[s + 35] !== DASH || b[s + 52] !== DASH) return -1;
  const ids = isLowerHexBytes(b, s + 3, s + 35) && isLowerHexBytes(b, s + 36, s + 52);
  return checkCodes(b[s]!, b[s + 1]!, b[s + 53]!, b[s + 54]!, ids);
}

function checkCodes(v0: number, v1: number, f0: number, f1: number, idsValid: boolean): number {
  if (!idsValid || !isLowerHexChar(v0) || !isLowerHexChar(v1) || !isLowerHexChar(f0) || !isLowerHexChar(f1)) return -1;
  if (v0 === 0x66 && v1 === 0x66) return -1; // version ff is invalid (§3.2.2.1)
  return (hexDigitValue(f0) << 4) | hexDigitValue(f1);
}

/** The traceparent written for ids already checked: always version 00, known flags only. */
export function formatTraceParent(traceId: string, spanId: string, traceFlags: number): string {
  return `00-${traceId}-${spanId}-${FLAG_TEXT[traceFlags & KNOWN_FLAGS]}`;
}

/**
 * W3C Trace Context Level 2 (`traceparent`, `tracestate`), written from the specification
 * rather than wrapped: see docs/propagation.md for where it differs from `@opentelemetry/core`.
 * Never throws: bad input yields the context unchanged and a `diag.debug` line.
 */
export class TraceContextPropagator implements TextMapPropagator {
  constructor() {
    declareTraits(this, { spanContext: true, baggage: false, checksIds: true });
  }

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    try {
      const spanContext = trace.getSpanContext(context);
      if (spanContext === undefined || isTracingSuppressed(context)) return;
      // Each field is read once: what is checked is what is written.
      const { traceId, spanId, traceState } = spanContext;
      if (!areWritableIds(traceId, spanId)) return;
      let flags = traceFlagsOf(spanContext) & KNOWN_FLAGS;
      // A span the SDK started in a continued trace has only the sampled bit; the random bit
      // received with that trace id is the trace's, and goes on (random-trace-id-flag.ts).
      if ((flags & 0x02) === 0) flags |= randomFlagFor(context, traceId);
      setter.set(carrier, TRACEPARENT_HEADER, formatTraceParent(traceId, spanId as string, flags));
      if (traceState !== undefined) {
        const header = traceStateHeader(traceState);
        if (header !== undefined) setter.set(carrier, TRACESTATE_HEADER, header);
      }
    } catch (error) {
      diag.warn('tracehop: tracecontext inject failed', error);
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    try {
      const [traceparent, tracestate] = readSources(getter, carrier, HEADERS);
      if (traceparent === undefined) return context;
      if (Array.isArray(traceparent)) {
        // W3C test suite (test_traceparent_duplicated): two different traceparent values
        // leave no way to tell which is right, so neither is used.
        diag.debug('tracehop: conflicting traceparent values; no context extracted');
        return context;
      }
      const spanContext = parseTraceParent(traceparent as HeaderSource);
      if (spanContext === undefined) {
        diag.debug('tracehop: invalid traceparent; no context extracted');
        return context;
      }
      // §3.3: tracestate is only parsed once traceparent is, and failing to parse it never
      // affects traceparent. Several fields are combined with commas (§3.3.1.1, RFC 9110).
      if (tracestate !== undefined) {
        const joined = Array.isArray(tracestate) ? (tracestate as Conflicting).join(',') : (tracestate as HeaderSource);
        const traceState = parseTraceState(joined);
        if (traceState !== undefined) spanContext.traceState = traceState;
      }
      return withSpanContext(withReceivedTraceFlags(context, spanContext.traceId, spanContext.traceFlags), spanContext);
    } catch (error) {
      diag.debug('tracehop: tracecontext extract failed', error);
      return context;
    }
  }

  fields(): string[] {
    return [TRACEPARENT_HEADER, TRACESTATE_HEADER];
  }
}
