// Every megabyte shape (support/hostile-values.ts HUGE_VALUES) under every header name every
// format reads, extracted by every format: each is decided in well under a second (a
// catastrophic regex or a quadratic scan would take seconds to minutes), without a throw,
// and yields nothing that breaks the specifications' limits.
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { decodeHeaderValue, headerGetter, readHeader } from '../../src/header-carrier.js';
import { injectHeaders } from '../../src/inject-headers.js';
import { createPropagator } from '../../src/propagation/create-propagator.js';
import { extractedContextProblem, injectedHeaderProblem } from './support/header-output-checks.js';
import { FORMAT_HEADER_NAMES, HUGE_VALUES } from './support/hostile-values.js';
import { CALL_TIME_BOUND_MS, runGuarded } from './support/run-guarded.js';

const ALL = createPropagator('tracecontext,baggage,b3,b3multi,jaeger');
const SINGLES = ['tracecontext', 'baggage', 'b3', 'b3multi', 'jaeger'].map((name) => createPropagator(name));

function timed<T>(what: string, call: () => T): T {
  const started = performance.now();
  const result = call();
  const elapsed = performance.now() - started;
  expect(elapsed, `${what} took ${elapsed.toFixed(0)} ms`).toBeLessThan(CALL_TIME_BOUND_MS);
  return result;
}

const describeValue = (value: string | Buffer) => `${Buffer.isBuffer(value) ? 'Buffer' : 'string'} "${value.slice(0, 12).toString()}…"`;

describe('megabyte header values', () => {
  it('every shape under every format header name, extracted by every format', () => {
    let extracts = 0;
    for (const value of HUGE_VALUES) {
      for (const name of FORMAT_HEADER_NAMES) {
        const headers = { [name]: value, 'x-other': 'kept' };
        for (const propagator of [ALL, ...SINGLES]) {
          const context = timed(`${name}: ${describeValue(value)}`, () => runGuarded(headers, (input) => propagator.extract(ROOT_CONTEXT, input, headerGetter)));
          expect(extractedContextProblem(context)).toBeUndefined();
          extracts++;
        }
      }
    }
    expect(extracts).toBe(HUGE_VALUES.length * FORMAT_HEADER_NAMES.length * 6);
  });

  it('every format header at once, each a megabyte, plus repeated values', () => {
    for (const value of HUGE_VALUES) {
      const headers = Object.fromEntries(FORMAT_HEADER_NAMES.map((name) => [name, [value, value, 'x']]));
      const context = timed(`all headers: ${describeValue(value)}`, () => runGuarded(headers, (input) => ALL.extract(ROOT_CONTEXT, input, headerGetter)));
      expect(extractedContextProblem(context)).toBeUndefined();
      timed('readHeader', () => decodeHeaderValue(readHeader(headers, 'TRACEPARENT')));
      // Only format headers came in: what goes out is only what the formats write, re-validated.
      const out = timed('injectHeaders', () => injectHeaders(headers, context, ALL));
      expect(injectedHeaderProblem(out)).toBeUndefined();
    }
  });

  it('50 000 headers, each a different case of a format name or a user header', () => {
    const headers: Record<string, unknown> = {};
    for (let i = 0; i < 50_000; i++) headers[i % 2 === 0 ? `x-user-${i}` : `TraceParent${'\u0000'.repeat(i % 7)}${i}`] = `v${i}`;
    headers.TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const context = timed('50 000 headers', () => runGuarded(headers, (input) => ALL.extract(ROOT_CONTEXT, input, headerGetter)));
    expect(extractedContextProblem(context)).toBeUndefined();
    const out = timed('inject into 50 000 headers', () => injectHeaders(headers, context, ALL));
    expect(out['x-user-0']).toBe('v0');
    expect(out.traceparent).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(out.TRACEPARENT).toBeUndefined();
  });

  it('a value that is an array of 100 000 Buffers, and arrays nested 10 000 deep', () => {
    const many = Array.from({ length: 100_000 }, (_, i) => Buffer.from(`v${i % 3}`));
    let deep: unknown = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    for (let i = 0; i < 10_000; i++) deep = [deep];
    for (const value of [many, deep]) {
      const headers = { traceparent: value, baggage: value, b3: value, 'uber-trace-id': value };
      // Not through runGuarded: its snapshot walks recursively, and 10 000 levels are too deep for it.
      const context = timed('arrays', () => ALL.extract(ROOT_CONTEXT, headers, headerGetter));
      expect(extractedContextProblem(context)).toBeUndefined();
    }
    expect(decodeHeaderValue(many)).toEqual(['v0', 'v1', 'v2']);
  });
});
