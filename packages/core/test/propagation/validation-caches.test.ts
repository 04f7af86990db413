// Issue 14: no validation result is remembered on an object the caller can still change.
import type { SpanContext } from '@opentelemetry/api';
import { ROOT_CONTEXT, TraceFlags, propagation, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { headerGetter, headerSetter } from '../../src/header-carrier.js';
import { injectHeaders } from '../../src/inject-headers.js';
import { createPropagator } from '../../src/propagation/create-propagator.js';

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const S = '00f067aa0ba902b7';
const EVIL = 'ZZZ\r\nx-injected: 1';

function inject(names: string, context = ROOT_CONTEXT): Record<string, unknown> {
  const carrier: Record<string, unknown> = {};
  createPropagator(names).inject(context, carrier, headerSetter);
  return carrier;
}

describe('span contexts are checked on every inject', () => {
  it.each(['tracecontext', 'b3', 'b3multi', 'jaeger'])('%s: a traceId changed after a valid inject is refused', (names) => {
    const spanContext: SpanContext = { traceId: T, spanId: S, traceFlags: TraceFlags.SAMPLED };
    const context = trace.setSpanContext(ROOT_CONTEXT, spanContext);
    expect(Object.values(inject(names, context)).join()).toContain(T);
    spanContext.traceId = EVIL;
    const again = inject(names, context);
    expect(again).toEqual({});
    expect(JSON.stringify(injectHeaders({}, context, createPropagator(names)))).not.toContain('x-injected');
  });

  it('an id that changes between reads is written as checked, or not at all', () => {
    let reads = 0;
    const spanContext = {
      get traceId() {
        return reads++ === 0 ? T : EVIL;
      },
      spanId: S,
      traceFlags: TraceFlags.SAMPLED,
    };
    const out = inject('tracecontext,b3,jaeger', trace.setSpanContext(ROOT_CONTEXT, spanContext));
    expect(JSON.stringify(out)).not.toContain('x-injected');
  });
});

describe('baggage is serialised on every inject', () => {
  it('an entry of the API baggage changed after an inject is sent as it now is', () => {
    const baggage = propagation.createBaggage({ tenant: { value: 'acme' } });
    const context = propagation.setBaggage(ROOT_CONTEXT, baggage);
    expect(inject('baggage', context).baggage).toBe('tenant=acme');
    // getAllEntries hands out the baggage's own entry objects.
    baggage.getAllEntries()[0]![1].value = 'globex';
    expect(baggage.getEntry('tenant')?.value).toBe('globex');
    expect(inject('baggage', context).baggage).toBe('tenant=globex');
  });

  it('an entry of extracted baggage changed after an inject is sent as it now is', () => {
    const extracted = createPropagator('baggage').extract(ROOT_CONTEXT, { baggage: 'tenant=acme' }, headerGetter);
    expect(inject('baggage', extracted).baggage).toBe('tenant=acme');
    propagation.getBaggage(extracted)!.getAllEntries()[0]![1].value = 'globex';
    expect(inject('baggage', extracted).baggage).toBe('tenant=globex');
  });
});
