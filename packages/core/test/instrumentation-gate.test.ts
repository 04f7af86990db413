import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { INSTRUMENTATION_GATE, resolveOptions, type TracehopClientOptions } from '../src/index.js';
import { createTestTracing } from './support/otel.js';

const scope = { name: 'test', version: '0' };
/** Options carrying an instrumentation's switch (not a documented option: a symbol key). */
const gated = (options: object) => options as TracehopClientOptions<unknown, unknown>;
const sampled = trace.setSpanContext(ROOT_CONTEXT, { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 });

describe('the instrumentation gate in resolved options', () => {
  it('without a gate the resolved options are returned as they are (wrappers pay nothing)', () => {
    const resolved = resolveOptions({ propagator: 'tracecontext' }, scope);
    expect(Object.getPrototypeOf(resolved)).toBe(Object.prototype);
  });

  it('follows the switch per read: tracer, formats and owned headers off while closed', () => {
    const { provider } = createTestTracing();
    let open = true;
    const resolved = resolveOptions(gated({ tracerProvider: provider, propagator: 'tracecontext', inbound: 'link', [INSTRUMENTATION_GATE]: () => open }), scope);
    const carrier: Record<string, string> = {};
    resolved.propagation.current().injector.inject(sampled, carrier, { set: (c, k, v) => (c[k] = v) });
    expect(Object.keys(carrier)).toEqual(['traceparent']);
    expect(resolved.tracer).toBeDefined();

    open = false;
    const closed: Record<string, string> = {};
    resolved.propagation.current().injector.inject(sampled, closed, { set: (c, k, v) => (c[k] = v) });
    expect(closed).toEqual({});
    expect(resolved.tracer).toBeUndefined();
    expect(resolved.injector.fields()).toEqual([]);
    // Policies are not switched: they read through.
    expect(resolved.inbound).toBe('link');

    open = true;
    expect(resolved.tracer).toBeDefined();
    expect(resolved.injector.fields()).toEqual(['traceparent', 'tracestate']);
  });

  it('a gate that is not a function is a TypeError at wrap time', () => {
    expect(() => resolveOptions({ [INSTRUMENTATION_GATE]: true } as never, scope)).toThrow(TypeError);
  });
});
