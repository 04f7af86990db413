import type { Context, TextMapGetter, TextMapPropagator } from '@opentelemetry/api';
import { ROOT_CONTEXT, TraceFlags, createContextKey, diag, propagation, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { headerGetter, headerSetter } from '../../src/header-carrier.js';
import { injectHeaders } from '../../src/inject-headers.js';
import { ownedHeadersOf } from '../../src/owned-headers.js';
import { B3Propagator, B3_DEBUG_FLAG_KEY } from '../../src/propagation/b3-propagator.js';
import { BaggagePropagator } from '../../src/propagation/baggage-propagator.js';
import { CompositePropagator } from '../../src/propagation/composite-propagator.js';
import { createPropagator } from '../../src/propagation/create-propagator.js';
import { JaegerPropagator } from '../../src/propagation/jaeger-propagator.js';
import { OverlayContext, withSpanContext, withValue } from '../../src/propagation/overlay-context.js';
import { TraceContextPropagator } from '../../src/propagation/trace-context-propagator.js';

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const S = '00f067aa0ba902b7';
const active = trace.setSpanContext(ROOT_CONTEXT, { traceId: T, spanId: S, traceFlags: TraceFlags.SAMPLED });
const ALL = 'tracecontext,baggage,b3,b3multi,jaeger';

afterEach(() => vi.restoreAllMocks());

describe('nothing throws into the caller', () => {
  const hostile: TextMapGetter = {
    keys: () => {
      throw new Error('keys');
    },
    get: () => {
      throw new Error('get');
    },
  };
  const odd: TextMapGetter = { keys: () => [42 as never, 'uberctx-x'], get: () => [undefined, 7, { no: 1 }] as never };

  it.each([
    ['a getter that throws', hostile, {}],
    ['a getter returning no text', odd, {}],
    ['a null carrier', headerGetter, null],
    ['binary garbage', headerGetter, { traceparent: Buffer.from([0xff, 0xfe, 0x00]), b3: new Uint8Array([1, 2]), baggage: [Buffer.from([0xc3])] }],
  ])('extract with %s yields the context unchanged', (_name, getter, carrier) => {
    const debug = vi.spyOn(diag, 'debug');
    for (const propagator of [createPropagator(ALL), new TraceContextPropagator(), new BaggagePropagator(), new B3Propagator(), new JaegerPropagator()]) {
      const extracted = propagator.extract(ROOT_CONTEXT, carrier, getter as TextMapGetter);
      expect(trace.getSpanContext(extracted)).toBeUndefined();
      expect(propagation.getBaggage(extracted)).toBeUndefined();
    }
    if (getter === hostile) expect(debug).toHaveBeenCalled();
  });

  it('a failing setter is reported and the other formats are still written', () => {
    const warn = vi.spyOn(diag, 'warn');
    const written: string[] = [];
    createPropagator('b3,tracecontext').inject(active, {}, {
      set: (_carrier, key) => {
        if (key === 'b3') throw new Error('no b3 here');
        written.push(key);
      },
    });
    expect(written).toEqual(['traceparent']);
    expect(warn).toHaveBeenCalledOnce();
  });
});

describe('inject', () => {
  it('writes nothing for an invalid span context, uppercase ids included', () => {
    const upper = trace.setSpanContext(ROOT_CONTEXT, { traceId: T.toUpperCase(), spanId: S, traceFlags: 1 });
    const carrier: Record<string, unknown> = {};
    createPropagator(ALL).inject(upper, carrier, headerSetter);
    createPropagator(ALL).inject(ROOT_CONTEXT, carrier, headerSetter);
    expect(carrier).toEqual({});
  });

  it('writes nothing when tracing is suppressed (@opentelemetry/core suppressTracing)', () => {
    const suppressed = active.setValue(createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING'), true);
    const carrier: Record<string, unknown> = {};
    createPropagator(ALL).inject(suppressed, carrier, headerSetter);
    expect(carrier).toEqual({});
  });

  it('a B3 extract without debug removes a debug flag left in the context', () => {
    const stale = ROOT_CONTEXT.setValue(B3_DEBUG_FLAG_KEY, 'd');
    const extracted = new B3Propagator().extract(stale, { b3: `${T}-${S}-1` }, headerGetter);
    expect(extracted.getValue(B3_DEBUG_FLAG_KEY)).toBeUndefined();
  });
});

describe('fields and owned headers', () => {
  const owned = (propagator: TextMapPropagator) => {
    const { names, prefixes } = ownedHeadersOf(propagator);
    return { names: [...names].sort(), prefixes: [...prefixes].sort() };
  };

  it('fields() are the headers inject writes (propagators spec, B3 "Fields")', () => {
    expect(new TraceContextPropagator().fields()).toEqual(['traceparent', 'tracestate']);
    expect(new BaggagePropagator().fields()).toEqual(['baggage']);
    expect(new B3Propagator().fields()).toEqual(['b3']);
    expect(new B3Propagator({ injectEncoding: 'multi' }).fields()).toEqual(['x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled', 'x-b3-flags']);
    expect(new B3Propagator({ injectEncoding: 'multi', canonicalCase: true }).fields()).toEqual([
      'X-B3-TraceId',
      'X-B3-SpanId',
      'X-B3-Sampled',
      'X-B3-Flags',
    ]);
    expect(new JaegerPropagator().fields()).toEqual(['uber-trace-id']);
  });

  it('B3 owns b3 and every x-b3- header, Jaeger every uberctx- header', () => {
    expect(owned(createPropagator('b3multi'))).toEqual({
      names: ['b3', 'x-b3-flags', 'x-b3-sampled', 'x-b3-spanid', 'x-b3-traceid'],
      prefixes: ['x-b3-'],
    });
    expect(owned(createPropagator('jaeger'))).toEqual({ names: ['uber-trace-id'], prefixes: ['uberctx-'] });
  });

  it('inject removes stale owned headers of the family, in any case', () => {
    const ctx = propagation.setBaggage(active, propagation.createBaggage({ fresh: { value: '1' } }));
    const out = injectHeaders(
      { b3: 'stale', 'X-B3-ParentSpanId': 'stale', 'Uberctx-Old': 'stale', 'x-app': 'kept' },
      ctx,
      createPropagator('b3multi,jaeger'),
    );
    expect(out).toEqual({
      'x-app': 'kept',
      'x-b3-traceid': T,
      'x-b3-spanid': S,
      'x-b3-sampled': '1',
      'uber-trace-id': `${T}:${S}:0:01`,
      'uberctx-fresh': '1',
    });
  });
});

describe('CompositePropagator', () => {
  it('skips a member that throws and one that returns an invalid span context', () => {
    const throwing: TextMapPropagator = { inject: () => undefined, extract: () => { throw new Error('boom'); }, fields: () => [] };
    const invalid: TextMapPropagator = {
      inject: () => undefined,
      extract: (ctx) => trace.setSpanContext(ctx, { traceId: '0'.repeat(32), spanId: S, traceFlags: 1 }),
      fields: () => [],
    };
    const composite = new CompositePropagator([throwing, invalid, new B3Propagator()]);
    const extracted = composite.extract(ROOT_CONTEXT, { b3: `${T}-${S}-1` }, headerGetter);
    expect(trace.getSpanContext(extracted)?.traceId).toBe(T);
    expect(trace.getSpanContext(new CompositePropagator([invalid]).extract(ROOT_CONTEXT, {}, headerGetter))).toBeUndefined();
  });

  // Issue 14: the composite used to merge inbound baggage into the context's, the context's
  // value winning (`tenant=local` stayed), unlike the single and the stock baggage propagators.
  const valuesOf = (context: Context) =>
    Object.fromEntries(propagation.getBaggage(context)!.getAllEntries().map(([k, e]) => [k, e.value]));
  const ambient = propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage({ local: { value: 'x' }, tenant: { value: 'local' } }));

  it.each(['baggage', 'tracecontext,baggage', 'baggage,jaeger', 'tracecontext,baggage,b3,b3multi,jaeger'])(
    'inbound baggage replaces the baggage of the context extracted into (%s)',
    (names) => {
      const extracted = createPropagator(names).extract(ambient, { baggage: 'tenant=remote,plan=gold' }, headerGetter);
      expect(valuesOf(extracted)).toEqual({ tenant: 'remote', plan: 'gold' });
      expect(valuesOf(new BaggagePropagator().extract(ambient, { baggage: 'tenant=remote,plan=gold' }, headerGetter))).toEqual(valuesOf(extracted));
    },
  );

  it('without inbound baggage, the context keeps its own', () => {
    const extracted = createPropagator('tracecontext,baggage,jaeger').extract(ambient, { traceparent: `00-${T}-${S}-01` }, headerGetter);
    expect(valuesOf(extracted)).toEqual({ local: 'x', tenant: 'local' });
    expect(trace.getSpanContext(extracted)?.traceId).toBe(T);
  });

  it('baggage from two formats is merged, the earlier format winning a shared key, and replaces the context\'s', () => {
    const carrier = { baggage: 'tenant=w3c', 'uberctx-tenant': 'jaeger', 'uberctx-zone': 'eu' };
    expect(valuesOf(createPropagator('baggage,jaeger').extract(ambient, carrier, headerGetter))).toEqual({ tenant: 'w3c', zone: 'eu' });
    expect(valuesOf(createPropagator('jaeger,baggage').extract(ambient, carrier, headerGetter))).toEqual({ tenant: 'jaeger', zone: 'eu' });
  });
});

describe('input sizes are checked before parsing', () => {
  it('a tracestate longer than 32 full members is discarded unread', () => {
    const debug = vi.spyOn(diag, 'debug');
    const extracted = createPropagator('tracecontext').extract(
      ROOT_CONTEXT,
      { traceparent: `00-${T}-${S}-01`, tracestate: `a=${'x'.repeat(17_000)}` },
      headerGetter,
    );
    expect(trace.getSpanContext(extracted)?.traceState).toBeUndefined();
    expect(debug).toHaveBeenCalledWith(expect.stringContaining('discarded unread'));
  });

  it('of a huge baggage header only whole members before 32 KiB are read', () => {
    const debug = vi.spyOn(diag, 'debug');
    const members = Array.from({ length: 5000 }, (_, i) => `k${String(i).padStart(4, '0')}=v`); // 40 000 bytes
    const extracted = createPropagator('baggage').extract(ROOT_CONTEXT, { baggage: Buffer.from(members.join(',')) }, headerGetter);
    const keys = propagation.getBaggage(extracted)!.getAllEntries().map(([key]) => key);
    expect(keys).toEqual(members.slice(0, 64).map((member) => member.split('=')[0]));
    expect(debug).toHaveBeenCalledWith(expect.stringContaining('dropped unread'));
  });
});

describe('the contexts extract returns', () => {
  const a = createContextKey('a');
  const b = createContextKey('b');
  const c = createContextKey('c');

  it('behave as contexts: values on top of the parent, set and delete make new contexts', () => {
    const parent = ROOT_CONTEXT.setValue(a, 'parent-a').setValue(c, 'parent-c');
    const overlay = withValue(parent, a, 'a1');
    expect(overlay).toBeInstanceOf(OverlayContext);
    expect([overlay.getValue(a), overlay.getValue(c), overlay.getValue(b)]).toEqual(['a1', 'parent-c', undefined]);
    const more = overlay.setValue(b, 'b1').setValue(a, 'a2');
    expect([more.getValue(a), more.getValue(b), more.getValue(c)]).toEqual(['a2', 'b1', 'parent-c']);
    expect(overlay.getValue(a)).toBe('a1');
    const deleted = more.deleteValue(c);
    expect([deleted.getValue(a), deleted.getValue(b), deleted.getValue(c)]).toEqual(['a2', 'b1', undefined]);
    expect(parent.getValue(a)).toBe('parent-a');
  });

  it('become ordinary contexts beyond a few values, keeping every value', () => {
    let context = withValue(ROOT_CONTEXT, a, 1);
    for (let i = 0; i < 6; i++) context = context.setValue(createContextKey(`k${i}`), i);
    expect(context).not.toBeInstanceOf(OverlayContext);
    expect([context.getValue(a), context.getValue(createContextKey('k5'))]).toEqual([1, 5]);
  });

  it('hold the span context where the API looks for it', () => {
    const spanContext = { traceId: T, spanId: S, traceFlags: 1, isRemote: true };
    const context = withSpanContext(ROOT_CONTEXT, spanContext);
    expect(trace.getSpanContext(context)).toBe(spanContext);
    expect(trace.getSpanContext(trace.deleteSpan(context))).toBeUndefined();
  });
});
