// Fuzzes core's injectHeaders, the one function every adapter uses to write context into a
// message: hostile header maps in, hostile contexts, every propagator list. The caller's map
// is never written to, every header that is not a format's travels as the very same value
// (the same Buffer, the same bytes), stale format headers in any case are gone, and exactly
// one consistent context is written.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { headerSetter } from '../../src/header-carrier.js';
import { injectHeaders } from '../../src/inject-headers.js';
import { isOwnedHeader, ownedHeadersOf } from '../../src/owned-headers.js';
import { createPropagator } from '../../src/propagation/create-propagator.js';
import { injectedHeaderProblem } from './support/header-output-checks.js';
import { fuzzParameters, fuzzTimeout } from './support/fuzz-config.js';
import { typeViolatingContext } from './support/hostile-contexts.js';
import { hostileCarrier } from './support/hostile-values.js';
import { propagatorList, settingsArb } from './support/propagator-configs.js';
import { PropertyViolation, holds, runGuarded } from './support/run-guarded.js';

const hasOwn = Object.prototype.hasOwnProperty;

describe('injectHeaders under hostile input', () => {
  it(
    'never throws, never writes to the caller, keeps user headers by identity, replaces format headers',
    () => {
      fc.assert(
        fc.property(hostileCarrier, typeViolatingContext, propagatorList, settingsArb, fc.boolean(), (headers, context, names, settings, dropNullish) => {
          const propagator = createPropagator(names, settings);
          const owned = ownedHeadersOf(propagator);
          const out = runGuarded(headers, (input) => injectHeaders(input as Record<string, unknown>, context, propagator, { dropNullish }));
          if (Object.getPrototypeOf(out) !== Object.prototype) throw new PropertyViolation('the copy does not have Object.prototype');
          if (out === headers) throw new PropertyViolation('the caller’s object was returned');
          // What the propagator writes on its own: the copy must hold exactly that of its headers.
          const fresh: Record<string, unknown> = {};
          try {
            propagator.inject(context, fresh, headerSetter);
          } catch {
            // A member failed on a forbidden value: injectHeaders logged it and wrote what it could.
          }
          const expected = new Map<string, unknown>();
          if (headers !== null && typeof headers === 'object') {
            for (const name of Object.keys(headers)) {
              const value = (headers as Record<string, unknown>)[name];
              if (isOwnedHeader(owned, name) || (dropNullish && value == null)) continue;
              expected.set(name, value);
            }
          }
          for (const name of Object.keys(fresh)) expected.set(name, fresh[name]);
          const keys = Object.keys(out);
          if (keys.length !== expected.size) throw new PropertyViolation(`the copy has ${keys.length} headers, not ${expected.size}`);
          for (const name of keys) {
            if (!expected.has(name) || !Object.is(out[name], expected.get(name))) {
              throw new PropertyViolation(`header ${JSON.stringify(name)} is not the caller’s value (nor the propagator’s)`);
            }
          }
          const formatHeaders = Object.fromEntries(keys.filter((name) => isOwnedHeader(owned, name)).map((name) => [name, out[name]]));
          holds(injectedHeaderProblem(formatHeaders));
        }),
        fuzzParameters(),
      );
    },
    fuzzTimeout(),
  );

  it('a stale context in any letter case, and a `__proto__` header, are handled as headers', () => {
    const headers = JSON.parse(
      '{"TraceParent":"00-11111111111111111111111111111111-2222222222222222-01","__proto__":"kept","X-B3-TraceId":"stale","UBERCTX-old":"x"}',
    ) as Record<string, unknown>;
    const context = trace.setSpanContext(ROOT_CONTEXT, { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 });
    const out = injectHeaders(headers, context, createPropagator('tracecontext,b3multi,jaeger'));
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(hasOwn.call(out, '__proto__')).toBe(true);
    expect(Object.keys(out).sort()).toEqual(['__proto__', 'traceparent', 'uber-trace-id', 'x-b3-sampled', 'x-b3-spanid', 'x-b3-traceid']);
    expect(out.traceparent).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(out['uber-trace-id']).toBe('0af7651916cd43dd8448eb211c80319c:b7ad6b7169203331:0:01');
  });
});
