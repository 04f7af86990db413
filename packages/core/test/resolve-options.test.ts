import { ROOT_CONTEXT, TraceFlags, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { headerSetter } from '../src/header-carrier.js';
import { resolveOptions } from '../src/resolve-options.js';

const scope = { name: 'test', version: '0.0.0' };
const active = trace.setSpanContext(ROOT_CONTEXT, { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED });

function injectedKeys(options: Parameters<typeof resolveOptions>[0]): string[] {
  const carrier: Record<string, unknown> = {};
  resolveOptions(options, scope).injector.inject(active, carrier, headerSetter);
  return Object.keys(carrier).sort();
}

afterEach(() => {
  vi.unstubAllEnvs();
  propagation.disable();
});

describe('resolveOptions precedence', () => {
  it('defaults to tracecontext,baggage', () => {
    vi.stubEnv('OTEL_PROPAGATORS', '');
    expect(injectedKeys({})).toEqual(['traceparent']);
    expect(resolveOptions({}, scope).injector.fields()).toEqual(['traceparent', 'tracestate', 'baggage']);
  });

  it('prefers the propagator an SDK registered (set in code) over OTEL_PROPAGATORS, as NodeSDK does', () => {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    vi.stubEnv('OTEL_PROPAGATORS', 'b3');
    expect(injectedKeys({})).toEqual(['traceparent']);
  });

  it('reads OTEL_PROPAGATORS when no SDK registered a propagator', () => {
    vi.stubEnv('OTEL_PROPAGATORS', 'b3');
    expect(injectedKeys({})).toEqual(['b3']);
  });

  it('uses the global propagator when nothing else is configured', () => {
    vi.stubEnv('OTEL_PROPAGATORS', '');
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    expect(injectedKeys({})).toEqual(['traceparent']);
  });

  it('prefers the explicit option over everything', () => {
    vi.stubEnv('OTEL_PROPAGATORS', 'b3');
    expect(injectedKeys({ propagator: ['tracecontext'] })).toEqual(['traceparent']);
  });

  it('reads the extract set from the option, then TRACEHOP_EXTRACT_PROPAGATORS, then the inject set', () => {
    vi.stubEnv('TRACEHOP_EXTRACT_PROPAGATORS', 'b3multi');
    expect(resolveOptions({ propagator: 'tracecontext' }, scope).extractor.fields()).toContain('x-b3-traceid');
    expect(resolveOptions({ propagator: 'tracecontext', extract: 'b3' }, scope).extractor.fields()).toEqual(['b3']);
    vi.stubEnv('TRACEHOP_EXTRACT_PROPAGATORS', '');
    const resolved = resolveOptions({ propagator: 'tracecontext' }, scope);
    expect(resolved.extractor).toBe(resolved.injector);
  });

  it('owns the headers of both the inject and the extract set', () => {
    const { ownedHeaders } = resolveOptions({ propagator: 'tracecontext', extract: 'tracecontext,b3' }, scope);
    expect([...ownedHeaders.names].sort()).toEqual(['b3', 'traceparent', 'tracestate']);
  });

  it('rejects invalid options at wrap time with a clear error', () => {
    expect(() => resolveOptions({ inbound: 'child' as never }, scope)).toThrow(/inbound/);
    expect(() => resolveOptions({ baggage: 'some' as never }, scope)).toThrow(/baggage/);
    expect(() => resolveOptions({ propagator: 42 as never }, scope)).toThrow(/propagator/);
    expect(() => resolveOptions({ spans: 'yes' as never }, scope)).toThrow(/spans/);
  });

  it('makes no tracer in propagate-only mode', () => {
    expect(resolveOptions({ spans: false }, scope).tracer).toBeUndefined();
  });
});
