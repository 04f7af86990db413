import type { Context, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { TraceFlags, createContextKey, diag, trace } from '@opentelemetry/api';
import type { OwnsHeaderNames, OwnsHeaderPrefixes } from '../owned-headers.js';
import {
  B3_SINGLE_HEADER,
  SAMPLING_ONLY,
  X_B3_FLAGS,
  X_B3_PREFIX,
  X_B3_SAMPLED,
  X_B3_SPAN_ID,
  X_B3_TRACE_ID,
  parseB3Multi,
  parseB3Single,
  readB3Headers,
  type B3Parsed,
} from './b3-parse.js';
import { firstOf } from './header-source.js';
import { areWritableIds, traceFlagsOf } from './hex.js';
import { withSpanContext, withValue } from './overlay-context.js';
import { declareTraits } from './propagator-traits.js';
import { isTracingSuppressed } from './suppress-tracing.js';

/**
 * Where an extracted B3 debug flag is kept in the context, so that inject writes it again
 * (propagators spec, "B3 Extract": "MUST preserve a debug trace flag … and propagate it").
 * `createContextKey` is `Symbol.for`, and the description is the one
 * `@opentelemetry/propagator-b3` uses, so either package sees the other's flag. Its value is
 * `'d'` (from `b3`) or `'1'` (from `X-B3-Flags`), as there.
 */
export const B3_DEBUG_FLAG_KEY = createContextKey('OpenTelemetry Context Key B3 Debug Flag');

/** Options of a B3 propagator. */
export interface B3PropagatorOptions {
  /**
   * How inject writes the context: the `b3` single header, or the `X-B3-*` multi headers.
   * Extract always reads both, single first (propagators spec, "B3 Configuration").
   * Default: `'single'`, as the propagators spec requires.
   */
  readonly injectEncoding?: 'single' | 'multi';
  /**
   * Write the multi headers as `X-B3-TraceId`, `X-B3-SpanId`, `X-B3-Sampled`, `X-B3-Flags`
   * instead of lowercase, for peers that look header names up case-sensitively. Reading is
   * case-insensitive either way; `b3` is always lowercase. Default: false.
   */
  readonly canonicalCase?: boolean;
}

const LOWERCASE_NAMES = [X_B3_TRACE_ID, X_B3_SPAN_ID, X_B3_SAMPLED, X_B3_FLAGS] as const;
const CANONICAL_NAMES = ['X-B3-TraceId', 'X-B3-SpanId', 'X-B3-Sampled', 'X-B3-Flags'] as const;

function isDebug(context: Context): boolean {
  const value = context.getValue(B3_DEBUG_FLAG_KEY);
  return value === 'd' || value === '1' || value === true;
}

/**
 * B3, after openzipkin/b3-propagation and the OpenTelemetry propagators spec: the `b3` single
 * header is read first, and when it is absent, malformed or carries only a sampling state,
 * the `X-B3-*` headers are read (as Brave and OpenTelemetry Java do). The parent span id is
 * never written. Never throws.
 */
export class B3Propagator implements TextMapPropagator, OwnsHeaderPrefixes, OwnsHeaderNames {
  readonly #multi: boolean;
  readonly #names: readonly [string, string, string, string];

  constructor(options: B3PropagatorOptions = {}) {
    declareTraits(this, { spanContext: true, baggage: false, checksIds: true });
    this.#multi = options.injectEncoding === 'multi';
    this.#names = options.canonicalCase === true ? CANONICAL_NAMES : LOWERCASE_NAMES;
  }

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    try {
      const spanContext = trace.getSpanContext(context);
      if (spanContext === undefined || isTracingSuppressed(context)) return;
      // Each id is read once: what is checked is what is written.
      const { traceId, spanId } = spanContext;
      if (!areWritableIds(traceId, spanId)) return;
      const debug = isDebug(context);
      const sampled = (traceFlagsOf(spanContext) & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
      if (!this.#multi) {
        setter.set(carrier, B3_SINGLE_HEADER, `${traceId}-${spanId}-${debug ? 'd' : sampled ? '1' : '0'}`);
        return;
      }
      const [traceIdName, spanIdName, sampledName, flagsName] = this.#names;
      setter.set(carrier, traceIdName, traceId);
      setter.set(carrier, spanIdName, spanId);
      // "Debug implies an accept decision, so don't also send the X-B3-Sampled header."
      if (debug) setter.set(carrier, flagsName, '1');
      else setter.set(carrier, sampledName, sampled ? '1' : '0');
    } catch (error) {
      diag.warn('tracehop: b3 inject failed', error);
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    try {
      const headers = readB3Headers(getter, carrier);
      // b3-propagation: "When extracting state headers, the first value wins."
      const single = firstOf(headers[0]);
      let parsed: B3Parsed = single === undefined ? undefined : parseB3Single(single);
      // The flag's value records where it came from, as @opentelemetry/propagator-b3 does.
      let debugValue = 'd';
      if (parsed === undefined || parsed === SAMPLING_ONLY) {
        if (single !== undefined && parsed === undefined) diag.debug('tracehop: malformed b3 header; reading the X-B3-* headers');
        parsed = parseB3Multi(headers) ?? parsed;
        debugValue = '1';
      }
      // A sampling state without ids cannot become a span context (OpenTelemetry needs both
      // ids), so the message starts a trace of its own: documented in docs/propagation.md.
      if (parsed === undefined || parsed === SAMPLING_ONLY) return context;
      let next = context;
      // A debug flag left in the context by an earlier extract must not outlive its trace.
      if (parsed.debug || next.getValue(B3_DEBUG_FLAG_KEY) !== undefined) {
        next = withValue(next, B3_DEBUG_FLAG_KEY, parsed.debug ? debugValue : undefined);
      }
      return withSpanContext(next, parsed.spanContext);
    } catch (error) {
      diag.debug('tracehop: b3 extract failed', error);
      return context;
    }
  }

  fields(): string[] {
    // Propagators spec, "B3 Fields": the headers of the configured inject format.
    return this.#multi ? [...this.#names] : [B3_SINGLE_HEADER];
  }

  /** Stale `X-B3-*` headers (parent span id included) go before inject, in either encoding. */
  ownedHeaderPrefixes(): readonly string[] {
    return [X_B3_PREFIX];
  }

  /** A stale `b3` next to fresh multi headers would win on extract, so multi owns it too. */
  ownedHeaderNames(): readonly string[] {
    return [B3_SINGLE_HEADER];
  }
}
