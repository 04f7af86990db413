import type { BaggageEntry, Context, SpanContext, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { TraceFlags, createContextKey, diag, propagation, trace } from '@opentelemetry/api';
import type { OwnsHeaderPrefixes } from '../owned-headers.js';
import { BAGGAGE_MAX_BYTES, BAGGAGE_MAX_MEMBERS } from './baggage-codec.js';
import { isToken } from './baggage-grammar.js';
import { BaggageSet } from './baggage-set.js';
import { headerGetter } from '../header-carrier.js';
import { HeaderIndex, UBERCTX_MAX_NAMES, isUberctxName } from './header-index.js';
import { readSource, textAt, toSource, valueEnd, valueStart, type HeaderSource, type ReadSource } from './header-source.js';
import { areWritableIds, padHex, traceFlagsOf } from './hex.js';
import { withBaggage, withSpanContext, withValue } from './overlay-context.js';
import { declareTraits } from './propagator-traits.js';
import { isTracingSuppressed } from './suppress-tracing.js';

export const UBER_TRACE_ID_HEADER = 'uber-trace-id';
export const UBER_BAGGAGE_PREFIX = 'uberctx-';

/** `{trace-id}:{span-id}:{parent-span-id}:{flags}` at its longest: 32+1+16+1+16+1+2. */
const UBER_TRACE_ID_MAX_LENGTH = 69;
/** The same, URL-encoded (`%3A` for each colon), as Jaeger clients write it over HTTP. */
const UBER_TRACE_ID_MAX_ENCODED_LENGTH = UBER_TRACE_ID_MAX_LENGTH + 3 * 2;

const FLAG_SAMPLED = 0x01;
const FLAG_DEBUG = 0x02;

/**
 * Where an extracted Jaeger debug flag (bit 0x02, "instructs the backend to try really hard
 * not to drop this trace") is kept, so that inject writes it again.
 */
export const JAEGER_DEBUG_FLAG_KEY = createContextKey('tracehop Jaeger debug flag');

interface JaegerContext {
  readonly spanContext: SpanContext;
  readonly debug: boolean;
}

function decodeOnce(text: string): string | undefined {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * Parses `uber-trace-id` (Jaeger client-libraries "Propagation Format"): hex ids of variable
 * length that receivers MUST left-pad (trace id up to 32 digits, span id up to 16, neither
 * zero), a parent span id that is checked but unused (deprecated), flags as one or two hex
 * digits. The value may be URL-encoded. Hex of either case is accepted and lowercased.
 */
export function parseUberTraceId(source: HeaderSource): JaegerContext | undefined {
  if (source.length > UBER_TRACE_ID_MAX_ENCODED_LENGTH + 16) return undefined;
  // The grammar is ASCII (URL-encoded or not): bytes are read as Latin-1, others fail.
  const text = textAt(source, 0, source.length);
  const parsed = scanUberTraceId(text);
  if (parsed !== ESCAPED) return parsed;
  const decoded = decodeOnce(text);
  if (decoded === undefined) return undefined;
  const again = scanUberTraceId(decoded);
  return again === ESCAPED ? undefined : again;
}

/** What `scanUberTraceId` returns for a value with `%` escapes in it. */
const ESCAPED = Symbol('URL-encoded');

/**
 * One pass over the value: the three colons, and per field whether it is hex, has
 * uppercase, and is non-zero; the flags byte on the way.
 */
function scanUberTraceId(text: string): JaegerContext | undefined | typeof ESCAPED {
  const start = valueStart(text, UBER_TRACE_ID_MAX_LENGTH);
  if (start === -1) return undefined;
  const end = valueEnd(text, start);
  if (end - start > UBER_TRACE_ID_MAX_LENGTH) return undefined;
  const colons = [-1, -1, -1];
  let field = 0;
  let fieldStart = start;
  let nonZero = 0;
  let upper = 0;
  let flags = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3a) {
      // Every field is at least one digit; at most 32, 16, 16 digits.
      if (field === 3 || i === fieldStart || i - fieldStart > (field === 0 ? 32 : 16)) return undefined;
      colons[field++] = i;
      fieldStart = i + 1;
      continue;
    }
    let digit: number;
    if (c >= 0x30 && c <= 0x39) digit = c - 0x30;
    else if (c >= 0x61 && c <= 0x66) digit = c - 0x57;
    else if (c >= 0x41 && c <= 0x46) {
      digit = c - 0x37;
      if (field < 2) upper |= 1 << field;
    } else return c === 0x25 ? ESCAPED : undefined;
    if (digit !== 0 && field < 2) nonZero |= 1 << field;
    if (field === 3) flags = (flags << 4) | digit;
  }
  if (field !== 3 || end === fieldStart || end - fieldStart > 2) return undefined;
  // Neither id may be zero ("Value of 0 is not valid").
  if (nonZero !== 0b11) return undefined;
  const [c1, c2] = colons as [number, number, number];
  const traceId = text.slice(start, c1);
  const spanId = text.slice(c1 + 1, c2);
  const debug = (flags & FLAG_DEBUG) !== 0;
  // Debug implies sampled, as for B3 (the debug flag "should only be set when sampled is").
  const sampled = debug || (flags & FLAG_SAMPLED) !== 0;
  return {
    spanContext: {
      traceId: padHex((upper & 1) === 0 ? traceId : traceId.toLowerCase(), 32),
      spanId: padHex((upper & 2) === 0 ? spanId : spanId.toLowerCase(), 16),
      traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
      isRemote: true,
    },
    debug,
  };
}

/**
 * Decodes a `uberctx-*` value. Jaeger's HTTP-header codecs URL-encode values as HTML forms
 * do: jaeger-client-java with `URLEncoder.encode` (a space becomes `+`, a `+` becomes `%2B`)
 * and reads them with `URLDecoder.decode`; jaeger-client-go with `url.QueryEscape` /
 * `QueryUnescape`, the same rules. So `+` is a space, and a literal plus arrives as `%2B`
 * from every encoding sender (tracehop and the stock JS propagator included, which use
 * `encodeURIComponent`). TEXT_MAP senders do not encode at all (Jaeger "Value Encoding"): a
 * value whose escapes do not decode is taken as it is, `+` included. docs/propagation.md.
 */
export function decodeUberctxValue(raw: string): string {
  const plus = raw.includes('+');
  const escaped = raw.includes('%');
  if (!plus && !escaped) return raw;
  const spaced = plus ? raw.replace(/\+/g, ' ') : raw;
  if (!escaped) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return raw;
  }
}

/** Jaeger baggage entries, built within W3C baggage's limits (64 entries, 8192 bytes). */
class UberctxEntries {
  entries: Map<string, BaggageEntry> | undefined;
  #bytes = 0;

  add(name: string, source: ReadSource): void {
    if (source === undefined || Array.isArray(source)) return; // absent, or ambiguous
    const value = source as HeaderSource;
    const key = name.slice(UBER_BAGGAGE_PREFIX.length);
    // Checked before anything is decoded: a value too large costs nothing (a Buffer's
    // length is its byte count, which is what the limit counts).
    if (this.#bytes + key.length + value.length > BAGGAGE_MAX_BYTES) {
      diag.debug('tracehop: Jaeger baggage entry dropped: over 8192 bytes');
      return;
    }
    // Values may be raw UTF-8 (TEXT_MAP senders), so Buffers are decoded as UTF-8 here.
    const raw = typeof value === 'string' ? value : value.toString('utf8');
    (this.entries ??= new Map()).set(key, { value: decodeUberctxValue(raw) });
    this.#bytes += key.length + raw.length;
  }
}

/**
 * Reads every `uberctx-*` header in one scan: from the header index (one pass over the
 * carrier for every format), or through a foreign getter's `keys()`, once. Every distinct
 * name counts toward the 64 read, whether its entry is kept or not, so the scan stops early
 * on a carrier of thousands of them (issue 14).
 */
function extractBaggage(getter: TextMapGetter, carrier: unknown): BaggageSet | undefined {
  const entries = new UberctxEntries();
  if (carrier instanceof HeaderIndex) {
    for (const header of carrier.uberctxHeaders()) entries.add(header.name, toSource(header.several ?? header.raw));
  } else {
    const seen = new Set<string>();
    for (const name of getter.keys(carrier)) {
      if (typeof name !== 'string' || !isUberctxName(name)) continue;
      const lower = name.toLowerCase();
      if (seen.has(lower)) continue; // another spelling: read with the first (readSource takes all)
      if (seen.size === UBERCTX_MAX_NAMES) {
        diag.debug('tracehop: Jaeger baggage beyond 64 entries dropped');
        break;
      }
      seen.add(lower);
      entries.add(name, readSource(getter, carrier, name));
    }
  }
  return entries.entries === undefined ? undefined : new BaggageSet(entries.entries);
}

/**
 * Jaeger (`uber-trace-id`, `uberctx-{key}` baggage). Baggage headers form a family, so the
 * propagator reports the `uberctx-` prefix (`OwnsHeaderPrefixes`) and stale ones are removed
 * before inject. Never throws.
 */
export class JaegerPropagator implements TextMapPropagator, OwnsHeaderPrefixes {
  constructor() {
    declareTraits(this, { spanContext: true, baggage: true, checksIds: true });
  }

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    try {
      if (isTracingSuppressed(context)) return;
      const spanContext = trace.getSpanContext(context);
      // Each id is read once: what is checked is what is written.
      const traceId: unknown = spanContext?.traceId;
      const spanId: unknown = spanContext?.spanId;
      if (spanContext !== undefined && areWritableIds(traceId, spanId)) {
        const debug = context.getValue(JAEGER_DEBUG_FLAG_KEY) === true;
        const sampled = (traceFlagsOf(spanContext) & TraceFlags.SAMPLED) !== 0;
        const flags = debug ? '03' : sampled ? '01' : '00';
        // The parent span id is deprecated; 0 is the value Jaeger defines for "none".
        setter.set(carrier, UBER_TRACE_ID_HEADER, `${traceId}:${spanId as string}:0:${flags}`);
      }
      const baggage = propagation.getBaggage(context);
      if (baggage === undefined) return;
      let count = 0;
      let bytes = 0;
      for (const [key, entry] of baggage.getAllEntries()) {
        if (count === BAGGAGE_MAX_MEMBERS) break;
        // The key becomes part of a header name, which must be a token (RFC 9110 §5.1).
        if (!isToken(key) || typeof entry?.value !== 'string') continue;
        let value: string;
        try {
          value = encodeURIComponent(entry.value);
        } catch {
          continue; // a lone surrogate cannot be encoded
        }
        if (bytes + key.length + value.length > BAGGAGE_MAX_BYTES) continue;
        setter.set(carrier, UBER_BAGGAGE_PREFIX + key, value);
        count++;
        bytes += key.length + value.length;
      }
    } catch (error) {
      diag.warn('tracehop: jaeger inject failed', error);
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    try {
      let next = context;
      // With core's getter, the carrier is read once for `uber-trace-id` and all `uberctx-*`.
      const headers =
        getter === headerGetter && carrier !== null && typeof carrier === 'object' && !(carrier instanceof HeaderIndex)
          ? new HeaderIndex(carrier)
          : carrier;
      const source = readSource(getter, headers, UBER_TRACE_ID_HEADER);
      if (Array.isArray(source)) diag.debug('tracehop: conflicting uber-trace-id values; no context extracted');
      const header = source === undefined || Array.isArray(source) ? undefined : (source as HeaderSource);
      const parsed = header === undefined ? undefined : parseUberTraceId(header);
      if (header !== undefined && parsed === undefined) diag.debug('tracehop: invalid uber-trace-id; no context extracted');
      if (parsed !== undefined) {
        if (parsed.debug || next.getValue(JAEGER_DEBUG_FLAG_KEY) !== undefined) {
          next = withValue(next, JAEGER_DEBUG_FLAG_KEY, parsed.debug ? true : undefined);
        }
        next = withSpanContext(next, parsed.spanContext);
      }
      const baggage = extractBaggage(getter, headers);
      return baggage === undefined ? next : withBaggage(next, baggage);
    } catch (error) {
      diag.debug('tracehop: jaeger extract failed', error);
      return context;
    }
  }

  fields(): string[] {
    return [UBER_TRACE_ID_HEADER];
  }

  ownedHeaderPrefixes(): readonly string[] {
    return [UBER_BAGGAGE_PREFIX];
  }
}
