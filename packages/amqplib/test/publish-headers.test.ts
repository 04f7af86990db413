import { ROOT_CONTEXT, TraceFlags, propagation, trace } from '@opentelemetry/api';
import { resolveOptions } from '@tracehop/core';
import { describe, expect, it } from 'vitest';
import { HEADER_TABLE_LIMIT } from '../src/header-table-size.js';
import { publishOptions } from '../src/publish-headers.js';

const resolved = resolveOptions({ propagator: 'tracecontext,baggage' }, { name: 'test', version: '0' });
const spanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED };
const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const active = propagation.setBaggage(trace.setSpanContext(ROOT_CONTEXT, spanContext), propagation.createBaggage({ a: { value: '1' } }));

describe('publishOptions', () => {
  it('makes options when there were none', () => {
    expect(publishOptions(resolved, undefined, active)).toEqual({ headers: { traceparent, baggage: 'a=1' } });
  });

  it('copies the caller’s options, inherited ones included, even frozen ones, and never writes to them', () => {
    const options = Object.freeze(Object.assign(Object.create({ persistent: true }) as object, { priority: 3, headers: Object.freeze({ 'x-a': 'a' }) }));
    const sent = publishOptions(resolved, options, active) as { priority: number; persistent: boolean; headers: Record<string, unknown> };
    expect(sent).not.toBe(options);
    expect(Object.getPrototypeOf(sent)).toBe(Object.prototype);
    expect([sent.priority, sent.persistent]).toEqual([3, true]);
    expect(sent.headers).toEqual({ 'x-a': 'a', traceparent, baggage: 'a=1' });
    expect(options).toEqual({ priority: 3, headers: { 'x-a': 'a' } });
  });

  it('passes options that are not an object straight to amqplib', () => {
    expect(publishOptions(resolved, 7, active)).toBe(7);
  });

  it('counts the CC and BCC entries amqplib adds to the header table', () => {
    const value = 'v'.repeat(30);
    const withBaggage = propagation.setBaggage(active, propagation.createBaggage({ a: { value } }));
    // Headers that fill the table exactly on their own, and no longer once amqplib adds a CC list.
    const room = 1 + 11 + 1 + 4 + 55 + (1 + 7 + 1 + 4 + 2 + value.length);
    const big = 'x'.repeat(HEADER_TABLE_LIMIT - 4 - room - (1 + 5 + 1 + 4));
    const withoutCc = publishOptions(resolved, { headers: { 'x-big': big } }, withBaggage) as { headers: Record<string, unknown> };
    expect(Object.keys(withoutCc.headers)).toEqual(['x-big', 'traceparent', 'baggage']);
    const withCc = publishOptions(resolved, { CC: 'other', headers: { 'x-big': big } }, withBaggage) as { headers: Record<string, unknown> };
    expect(Object.keys(withCc.headers)).toEqual(['x-big', 'traceparent']);
    const withBcc = publishOptions(resolved, { BCC: ['a', 'b'], headers: { 'x-big': big } }, withBaggage) as { headers: Record<string, unknown> };
    expect(Object.keys(withBcc.headers)).toEqual(['x-big', 'traceparent']);
  });
});
