// What tracehop may write into a message, whatever it was given: header names that are
// tokens, values of visible ASCII (no CR, LF or NUL that could split or smuggle a header),
// every format's exact shape, and the W3C size limits. Returns the first violation found.
import { isSpanContextValid, type Context, propagation, trace } from '@opentelemetry/api';

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const VISIBLE = /^[\x20-\x7e]*$/;

const SHAPES: Readonly<Record<string, RegExp>> = {
  traceparent: /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-0[0-3]$/,
  b3: /^(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[01d]$/,
  'x-b3-traceid': /^(?!0{32})[0-9a-f]{32}$/,
  'x-b3-spanid': /^(?!0{16})[0-9a-f]{16}$/,
  'x-b3-sampled': /^[01]$/,
  'x-b3-flags': /^1$/,
  'uber-trace-id': /^(?!0{32})[0-9a-f]{32}:(?!0{16})[0-9a-f]{16}:0:0[013]$/,
};

/** W3C trace-context §3.3.1.5: tracehop writes at most 512 characters of tracestate. */
const TRACESTATE_MAX = 512;
/** W3C baggage §3.3.2: 64 members, 8192 bytes. */
const BAGGAGE_MAX_MEMBERS = 64;
const BAGGAGE_MAX_BYTES = 8192;

/** Checks the headers a propagator wrote into an empty carrier. */
export function injectedHeaderProblem(headers: Record<string, unknown>): string | undefined {
  let jaegerCount = 0;
  let jaegerBytes = 0;
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (!TOKEN.test(name)) return `header name ${JSON.stringify(name)} is not a token`;
    if (typeof value !== 'string') return `header ${name} is a ${typeof value}, not a string`;
    if (!VISIBLE.test(value)) return `header ${name} has a character outside visible ASCII: ${JSON.stringify(value.slice(0, 80))}`;
    const lower = name.toLowerCase();
    const shape = SHAPES[lower];
    if (shape !== undefined && !shape.test(value)) return `${name}: ${JSON.stringify(value)} is not a valid ${lower}`;
    if (lower === 'tracestate') {
      if (value.length > TRACESTATE_MAX || value === '') return `tracestate of ${value.length} characters`;
      if (value.split(',').length > 32) return 'tracestate of more than 32 members';
    }
    if (lower === 'baggage') {
      if (Buffer.byteLength(value) > BAGGAGE_MAX_BYTES) return `baggage of ${Buffer.byteLength(value)} bytes`;
      if (value.split(',').length > BAGGAGE_MAX_MEMBERS) return `baggage of ${value.split(',').length} members`;
    }
    if (lower.startsWith('uberctx-')) {
      jaegerCount++;
      jaegerBytes += name.length - 'uberctx-'.length + value.length;
    }
  }
  if (jaegerCount > BAGGAGE_MAX_MEMBERS || jaegerBytes > BAGGAGE_MAX_BYTES) return `Jaeger baggage of ${jaegerCount} entries / ${jaegerBytes} bytes`;
  const ids = new Set(contextsWritten(headers));
  if (ids.size > 1) return `several formats written with different contexts: ${[...ids].join(' / ')}`;
  return undefined;
}

/** `traceId/spanId` as each format in `headers` carries it (several formats may be written together). */
export function contextsWritten(headers: Record<string, unknown>): string[] {
  const lower = new Map(Object.keys(headers).map((name) => [name.toLowerCase(), String(headers[name])]));
  const found: string[] = [];
  const traceparent = lower.get('traceparent');
  if (traceparent !== undefined) found.push(`${traceparent.slice(3, 35)}/${traceparent.slice(36, 52)}`);
  const b3 = lower.get('b3');
  if (b3 !== undefined) found.push(`${b3.slice(0, 32)}/${b3.slice(33, 49)}`);
  if (lower.has('x-b3-traceid')) found.push(`${lower.get('x-b3-traceid')}/${lower.get('x-b3-spanid')}`);
  const uber = lower.get('uber-trace-id');
  if (uber !== undefined) found.push(`${uber.slice(0, 32)}/${uber.slice(33, 49)}`);
  return found;
}

/** Checks a context that a propagator extracted: only valid span contexts, bounded baggage. */
export function extractedContextProblem(context: Context): string | undefined {
  const spanContext = trace.getSpanContext(context);
  if (spanContext !== undefined) {
    if (!isSpanContextValid(spanContext)) return `an invalid span context was extracted: ${JSON.stringify(spanContext)}`;
    if (!/^[0-9a-f]{32}$/.test(spanContext.traceId) || !/^[0-9a-f]{16}$/.test(spanContext.spanId)) return `ids not lowercase hex: ${spanContext.traceId} ${spanContext.spanId}`;
    if (spanContext.isRemote !== true) return 'an extracted span context is not remote';
    if (!Number.isInteger(spanContext.traceFlags) || spanContext.traceFlags < 0 || spanContext.traceFlags > 3) return `trace flags ${spanContext.traceFlags}`;
    const state = spanContext.traceState?.serialize();
    if (state !== undefined && state.split(',').length > 32) return 'a tracestate of more than 32 members was extracted';
  }
  const baggage = propagation.getBaggage(context);
  if (baggage !== undefined) {
    const entries = baggage.getAllEntries();
    if (entries.length > BAGGAGE_MAX_MEMBERS) return `${entries.length} baggage entries extracted`;
    for (const [key, entry] of entries) {
      if (typeof key !== 'string' || typeof entry.value !== 'string') return 'a baggage entry that is not text';
    }
  }
  return undefined;
}
