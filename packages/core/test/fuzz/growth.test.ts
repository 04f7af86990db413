// Issue 14: work grows linearly with the input. Each shape is extracted at 1 MiB once and at
// 32 KiB 32 times (the same number of bytes); a linear parser takes about as long for both,
// a quadratic one 32 times longer for the large input. Best of several runs, against a
// generous bound (12×; quadratic work would be 32×), so that a busy shared machine cannot make it fail; the counts in
// bounded-work.test.ts are the exact checks.
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { decodeHeaderValue, headerGetter } from '../../src/header-carrier.js';
import { injectHeaders } from '../../src/inject-headers.js';
import { parseBaggageHeader } from '../../src/propagation/baggage-codec.js';
import { createPropagator } from '../../src/propagation/create-propagator.js';
import { parseTraceState } from '../../src/propagation/trace-state.js';
import { bestOf } from './support/counting-carrier.js';

const SMALL = 32 * 1024;
const LARGE = 1024 * 1024;
const REPEATS = LARGE / SMALL;
const BOUND = 12;
const TP = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const FORMAT_HEADERS = ['traceparent', 'tracestate', 'baggage', 'b3', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled', 'x-b3-flags', 'uber-trace-id'];

/** Builds `{ name(i): value(i) }` until the names and values hold about `bytes` characters. */
function headersOf(bytes: number, entry: (i: number) => [string, unknown]): Record<string, unknown> {
  const headers: Record<string, unknown> = { traceparent: TP };
  for (let i = 0, size = 0; size < bytes; i++) {
    const [name, value] = entry(i);
    headers[name] = value;
    size += name.length + String(value).length;
  }
  return headers;
}

const distinctItems = (bytes: number) => Array.from({ length: Math.ceil(bytes / 8) }, (_, i) => `k${i}=v`);

const shapes: Record<string, (bytes: number) => () => unknown> = {
  'many keys (tracecontext,baggage)': (bytes) => {
    const headers = headersOf(bytes, (i) => [`x-user-${i}`, 'v']);
    const propagator = createPropagator('tracecontext,baggage');
    return () => propagator.extract(ROOT_CONTEXT, headers, headerGetter);
  },
  'many keys, all five formats configured': (bytes) => {
    const headers = headersOf(bytes, (i) => [i % 2 === 0 ? `x-b3-${i}` : `TraceParent${i}`, 'v']);
    const propagator = createPropagator('tracecontext,baggage,b3,b3multi,jaeger');
    return () => propagator.extract(ROOT_CONTEXT, headers, headerGetter);
  },
  'many uberctx-* headers, in case pairs': (bytes) => {
    const headers = headersOf(bytes, (i) => [i % 2 === 0 ? `uberctx-${i >> 1}` : `UBERCTX-${i >> 1}`, String(i % 2)]);
    const propagator = createPropagator('tracecontext,baggage,b3,b3multi,jaeger');
    return () => propagator.extract(ROOT_CONTEXT, headers, headerGetter);
  },
  'many array items under every format header': (bytes) => {
    const items = distinctItems(bytes / FORMAT_HEADERS.length);
    const headers = Object.fromEntries(FORMAT_HEADERS.map((name) => [name, items]));
    const propagator = createPropagator('tracecontext,baggage,b3,b3multi,jaeger');
    return () => propagator.extract(ROOT_CONTEXT, headers, headerGetter);
  },
  'decodeHeaderValue of many distinct items': (bytes) => {
    const items = distinctItems(bytes);
    return () => decodeHeaderValue(items);
  },
  'long values (Buffers) under every format header': (bytes) => {
    const value = Buffer.from(`${TP},`.repeat(Math.ceil(bytes / FORMAT_HEADERS.length / 56)));
    const headers = Object.fromEntries(FORMAT_HEADERS.map((name) => [name, value]));
    const propagator = createPropagator('tracecontext,baggage,b3,b3multi,jaeger');
    return () => propagator.extract(ROOT_CONTEXT, headers, headerGetter);
  },
  'long tracestate and baggage strings, parsed directly': (bytes) => {
    const text = 'k=v,'.repeat(bytes / 4);
    return () => [parseTraceState(text), parseBaggageHeader(text)];
  },
  'inject into many keys': (bytes) => {
    const headers = headersOf(bytes, (i) => [`x-user-${i}`, 'v']);
    const propagator = createPropagator('tracecontext,baggage,b3,b3multi,jaeger');
    const context = propagator.extract(ROOT_CONTEXT, headers, headerGetter);
    return () => injectHeaders(headers, context, propagator);
  },
};

describe('work grows linearly with the input (1 MiB against 32 × 32 KiB)', () => {
  for (const [shape, build] of Object.entries(shapes)) {
    it(shape, () => {
      const large = build(LARGE);
      const small = build(SMALL);
      // Warm up both, so that neither timing includes compilation.
      large();
      for (let i = 0; i < REPEATS; i++) small();
      const largeTime = bestOf(5, large);
      const smallTime = bestOf(5, () => {
        for (let i = 0; i < REPEATS; i++) small();
      });
      const ratio = largeTime / Math.max(smallTime, 0.05);
      expect(ratio, `${largeTime.toFixed(2)} ms for 1 MiB, ${smallTime.toFixed(2)} ms for 32 × 32 KiB`).toBeLessThan(BOUND);
    });
  }
});
