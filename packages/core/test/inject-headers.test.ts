import { ROOT_CONTEXT, TraceFlags, diag, trace } from '@opentelemetry/api';
import { describe, expect, it, vi } from 'vitest';
import { createPropagator } from '../src/propagation/create-propagator.js';
import { injectHeaders } from '../src/inject-headers.js';

const spanContext = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: TraceFlags.SAMPLED,
  isRemote: false,
};
const active = trace.setSpanContext(ROOT_CONTEXT, spanContext);

describe('injectHeaders', () => {
  it('writes into a copy and leaves the caller’s headers untouched', () => {
    const user = Buffer.from([0, 1, 2, 255]);
    const headers = Object.freeze({ 'x-user': user, list: ['a', Buffer.from('b')] });
    const out = injectHeaders(headers, active, createPropagator('tracecontext'));
    expect(out).not.toBe(headers);
    expect(out['x-user']).toBe(user);
    expect(out.list).toBe(headers.list);
    expect(out.traceparent).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(Object.keys(headers)).toEqual(['x-user', 'list']);
  });

  it('removes stale values of every owned key, in any case, before writing', () => {
    const out = injectHeaders(
      { TraceParent: 'stale', 'X-B3-TraceId': 'stale', b3: 'stale', keep: 'me' },
      active,
      createPropagator('tracecontext,b3multi,b3'),
    );
    expect(out.TraceParent).toBeUndefined();
    expect(out['X-B3-TraceId']).toBeUndefined();
    expect(out.keep).toBe('me');
    expect(out.traceparent).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
  });

  it('keeps a header named __proto__ as a header', () => {
    const headers = JSON.parse('{"__proto__": "x", "a": "b"}') as Record<string, unknown>;
    const out = injectHeaders(headers, active, createPropagator('tracecontext'));
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toContain('__proto__');
  });

  it('drops null and undefined values only when asked', () => {
    const headers = { a: null, b: undefined, c: 'c' };
    expect(Object.keys(injectHeaders(headers, ROOT_CONTEXT, createPropagator('none'), { dropNullish: true }))).toEqual(['c']);
    expect(Object.keys(injectHeaders(headers, ROOT_CONTEXT, createPropagator('none')))).toEqual(['a', 'b', 'c']);
  });
});

describe('injectHeaders never throws on hostile headers (issue 14)', () => {
  const context = trace.setSpanContext(ROOT_CONTEXT, { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 });
  const written = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

  it('a throwing getter is left out, the other headers and the context are kept', () => {
    vi.spyOn(diag, 'warn').mockImplementation(() => undefined);
    const headers = Object.defineProperty({ 'x-a': 'a' }, 'x-bad', { enumerable: true, get: () => { throw new Error('getter'); } });
    expect(injectHeaders(headers, context, createPropagator('tracecontext'))).toEqual({ 'x-a': 'a', traceparent: written });
  });

  it('a Proxy that cannot be enumerated gives the context alone', () => {
    vi.spyOn(diag, 'warn').mockImplementation(() => undefined);
    const headers = new Proxy({ 'x-a': 'a' }, { ownKeys: () => { throw new Error('ownKeys'); } });
    expect(injectHeaders(headers, context, createPropagator('tracecontext'))).toEqual({ traceparent: written });
  });
});
