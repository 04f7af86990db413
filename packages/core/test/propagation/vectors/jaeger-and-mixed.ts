import { B3_SPAN_ID, B3_TRACE_ID, PADDED_64, TRACEPARENT, W3C_SPAN_ID, W3C_TRACE_ID, type Vector } from './types.js';

const w3c = { traceId: W3C_TRACE_ID, spanId: W3C_SPAN_ID, traceFlags: 1 };
const b3 = { traceId: B3_TRACE_ID, spanId: B3_SPAN_ID, traceFlags: 1 };
const b3Multi = { 'x-b3-traceid': B3_TRACE_ID, 'x-b3-spanid': B3_SPAN_ID, 'x-b3-sampled': '1' };

export const jaegerVectors: Vector[] = [
  {
    name: 'uber-trace-id with a 64-bit trace id is left-padded; the parent field is written as 0',
    rule: 'Jaeger propagation format: trace-id "Receivers MUST accept hex-strings shorter than 32 characters and 0-pad them"',
    propagators: 'jaeger',
    headers: { 'uber-trace-id': `463ac35c9f6413ad:${B3_SPAN_ID}:05e3ac9a4f6e3b90:1` },
    spanContext: { traceId: PADDED_64, spanId: B3_SPAN_ID, traceFlags: 1 },
    reinject: { headers: { 'uber-trace-id': `${PADDED_64}:${B3_SPAN_ID}:0:01` } },
  },
  {
    name: 'short ids are padded, and a URL-encoded value is read',
    rule: 'Jaeger propagation format: span-id "shorter values are 0-padded"; flags "one or two hex digits"',
    propagators: 'jaeger',
    headers: { 'uber-trace-id': 'abc%3A1f%3A0%3A0' },
    spanContext: { traceId: `${'0'.repeat(29)}abc`, spanId: `${'0'.repeat(14)}1f`, traceFlags: 0 },
  },
  {
    name: 'the debug flag implies sampled and is written again',
    rule: 'Jaeger propagation format flags: bit 2 "debug", set only with sampled',
    propagators: 'jaeger',
    headers: { 'uber-trace-id': `${B3_TRACE_ID}:${B3_SPAN_ID}:0:2` },
    spanContext: b3,
    reinject: { headers: { 'uber-trace-id': `${B3_TRACE_ID}:${B3_SPAN_ID}:0:03` } },
  },
  {
    name: 'a zero trace id is invalid',
    rule: 'Jaeger propagation format trace-id: "Value of 0 is not valid"',
    propagators: 'jaeger',
    headers: { 'uber-trace-id': `0:${B3_SPAN_ID}:0:1` },
    spanContext: null,
  },
  {
    name: 'five fields are invalid',
    rule: 'Jaeger propagation format: {trace-id}:{span-id}:{parent-span-id}:{flags}',
    propagators: 'jaeger',
    headers: { 'uber-trace-id': `${B3_TRACE_ID}:${B3_SPAN_ID}:0:1:1` },
    spanContext: null,
  },
  {
    name: 'uberctx- headers are baggage, URL-decoded, and written encoded',
    rule: 'Jaeger propagation format Baggage: key uberctx-{baggage-key}, value URL-encoded over HTTP',
    propagators: 'jaeger',
    headers: { 'uber-trace-id': `${B3_TRACE_ID}:${B3_SPAN_ID}:0:1`, 'uberctx-tenant': 'acme%20corp', 'UBERCTX-plan': 'gold' },
    spanContext: b3,
    baggage: { tenant: 'acme corp', plan: 'gold' },
    reinject: {
      headers: { 'uber-trace-id': `${B3_TRACE_ID}:${B3_SPAN_ID}:0:01`, 'uberctx-tenant': 'acme%20corp', 'uberctx-plan': 'gold' },
    },
  },
  {
    name: 'a + in a uberctx- value is a space, as Jaeger\'s Java and Go clients encode it; %2B is a plus',
    rule: 'jaeger-client-java HTTP_HEADERS codec (URLEncoder / URLDecoder), jaeger-client-go (url.QueryEscape / QueryUnescape): form encoding',
    propagators: 'jaeger',
    headers: { 'uber-trace-id': `${B3_TRACE_ID}:${B3_SPAN_ID}:0:1`, 'uberctx-note': 'acme+corp', 'uberctx-sum': '1%2B1+%3D+2' },
    spanContext: b3,
    baggage: { note: 'acme corp', sum: '1+1 = 2' },
    reinject: {
      headers: { 'uber-trace-id': `${B3_TRACE_ID}:${B3_SPAN_ID}:0:01`, 'uberctx-note': 'acme%20corp', 'uberctx-sum': '1%2B1%20%3D%202' },
    },
  },
  {
    name: 'a uberctx- value whose escapes do not decode is taken as it is, + included',
    rule: 'Jaeger "Value Encoding": TEXT_MAP senders do not encode; a value that is not URL-encoded is a literal',
    propagators: 'jaeger',
    headers: { 'uber-trace-id': `${B3_TRACE_ID}:${B3_SPAN_ID}:0:1`, 'uberctx-ratio': '100%+more' },
    spanContext: b3,
    baggage: { ratio: '100%+more' },
  },
  {
    name: 'conflicting repeated uber-trace-id values give no context',
    rule: 'tracehop: an ambiguous context is no context, as W3C rules for traceparent (docs/propagation.md)',
    propagators: 'jaeger',
    headers: { 'uber-trace-id': [`${B3_TRACE_ID}:${B3_SPAN_ID}:0:1`, `${B3_TRACE_ID}:${W3C_SPAN_ID}:0:1`] },
    spanContext: null,
  },
];

export const mixedVectors: Vector[] = [
  {
    name: 'with W3C and B3 both present, the first format of the extract list wins (W3C first)',
    rule: 'DESIGN.md migration: "the first in the configured extract order that yields a valid context wins"',
    propagators: 'tracecontext,b3multi',
    headers: { traceparent: TRACEPARENT, ...b3Multi },
    spanContext: w3c,
    reinject: {
      headers: { traceparent: TRACEPARENT, 'x-b3-traceid': W3C_TRACE_ID, 'x-b3-spanid': W3C_SPAN_ID, 'x-b3-sampled': '1' },
    },
  },
  {
    name: 'with W3C and B3 both present, the first format of the extract list wins (B3 first)',
    rule: 'DESIGN.md migration: extract order decides',
    propagators: 'b3multi,tracecontext',
    headers: { traceparent: TRACEPARENT, ...b3Multi },
    spanContext: b3,
  },
  {
    name: 'an invalid traceparent falls through to B3',
    rule: 'OpenTelemetry composite propagation: an invalid context is no context; the next format is tried',
    propagators: 'tracecontext,b3,b3multi',
    headers: { traceparent: `ff-${W3C_TRACE_ID}-${W3C_SPAN_ID}-01`, ...b3Multi },
    spanContext: b3,
  },
  {
    name: 'a B3-only producer is continued by a W3C consumer that accepts B3 (migration W3C ← B3)',
    rule: 'docs/propagation.md migration recipe: inject tracecontext, extract tracecontext,b3,b3multi',
    propagators: 'tracecontext,b3,b3multi',
    headers: { b3: `${B3_TRACE_ID}-${B3_SPAN_ID}-1` },
    spanContext: b3,
    reinject: { propagators: 'tracecontext', headers: { traceparent: `00-${B3_TRACE_ID}-${B3_SPAN_ID}-01` } },
  },
  {
    name: 'baggage from W3C and Jaeger is merged; the earlier format wins a shared key',
    rule: 'tracehop CompositePropagator: baggage of every format merged, earlier first (docs/propagation.md)',
    propagators: 'tracecontext,baggage,jaeger',
    headers: { traceparent: TRACEPARENT, baggage: 'tenant=w3c', 'uberctx-tenant': 'jaeger', 'uberctx-plan': 'gold' },
    spanContext: w3c,
    baggage: { tenant: 'w3c', plan: 'gold' },
  },
];
