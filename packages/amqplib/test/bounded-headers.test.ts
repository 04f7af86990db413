// Issue 14: injectAmqpHeaders never throws and never keeps a stale owned header; the header
// table fits the connection's negotiated frame size, not only amqplib's 64 KiB.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ROOT_CONTEXT, TraceFlags, diag, propagation, trace } from '@opentelemetry/api';
import { resolveOptions } from '@tracehop/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { injectAmqpHeaders } from '../src/index.js';
import { headerTableLimit, negotiatedFrameMax, otherPropertiesSize } from '../src/frame-limit.js';
import { fieldTableSize } from '../src/header-table-size.js';
import { publishOptions } from '../src/publish-headers.js';

const require = createRequire(import.meta.url);
const codec = require(join(dirname(require.resolve('amqplib')), 'lib', 'codec.js')) as {
  encodeTable(buffer: Buffer, table: object, offset: number): number;
  decodeFields(slice: Buffer): Record<string, unknown>;
};

const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const spanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED };
const active = propagation.setBaggage(trace.setSpanContext(ROOT_CONTEXT, spanContext), propagation.createBaggage({ a: { value: '1' } }));
const options = { propagator: 'tracecontext,baggage' } as const;

/** A table as amqplib's decoder delivers it, with a `__proto__` entry made the prototype. */
function decodedWithProto(proto: unknown): Record<string, unknown> {
  const buffer = Buffer.alloc(4096);
  const length = codec.encodeTable(buffer, { 'x-a': 'a', traceparent: 'stale', ['__proto__']: proto }, 0);
  return codec.decodeFields(buffer.subarray(4, length));
}

afterEach(() => vi.restoreAllMocks());

describe('injectAmqpHeaders never throws', () => {
  const hostile: Array<[string, () => object]> = [
    ['a throwing getter', () => Object.defineProperty({ 'x-a': 'a' }, 'x-bad', { enumerable: true, get: () => { throw new Error('getter'); } })],
    ['a Proxy whose get throws', () => new Proxy({ 'x-a': 'a', traceparent: 'stale' }, { get: () => { throw new Error('get'); } })],
    ['a Proxy whose ownKeys throws', () => new Proxy({ 'x-a': 'a' }, { ownKeys: () => { throw new Error('ownKeys'); } })],
    ['a Proxy whose getPrototypeOf throws', () => new Proxy({ 'x-a': 'a' }, { getPrototypeOf: () => { throw new Error('proto'); } })],
    ['a decoded table whose prototype is a Buffer (from a __proto__ header)', () => decodedWithProto(Buffer.from('ab'))],
    ['a decoded table whose prototype is a table (from a __proto__ header)', () => decodedWithProto({ traceparent: 'stale-inherited', 'x-b': 'b' })],
  ];

  it.each(hostile)('%s', (_, make) => {
    vi.spyOn(diag, 'warn').mockImplementation(() => undefined);
    const headers = make();
    const out = injectAmqpHeaders(headers as Record<string, unknown>, active, options);
    expect(typeof out).toBe('object');
    // Whatever could be read of the caller's headers, a stale traceparent is never among it.
    expect(out.traceparent === undefined || out.traceparent === traceparent).toBe(true);
  });

  it('keeps readable headers, inherited ones included, and writes the context', () => {
    const out = injectAmqpHeaders(decodedWithProto({ traceparent: 'stale-inherited', 'x-b': 'b' }), active, options);
    expect(out).toEqual({ 'x-a': 'a', 'x-b': 'b', traceparent, baggage: 'a=1' });
  });
});

describe('the fallback never keeps a stale owned header', () => {
  it('headers too large on their own: returned without context and without the stale traceparent', () => {
    const warn = vi.spyOn(diag, 'warn').mockImplementation(() => undefined);
    const headers = { 'x-huge': 'x'.repeat(70_000), TraceParent: 'stale', baggage: 'old=1', 'x-keep': 'k' };
    const out = injectAmqpHeaders(headers, active, options);
    expect(out).toEqual({ 'x-huge': headers['x-huge'], 'x-keep': 'k' });
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('inherited stale headers are left out of the fallback too', () => {
    const headers = Object.assign(Object.create({ traceparent: 'stale', 'x-inherited': 'i' }) as object, { 'x-huge': 'x'.repeat(70_000) });
    expect(Object.keys(injectAmqpHeaders(headers, active, options)).sort()).toEqual(['x-huge', 'x-inherited']);
  });
});

describe('the header table respects the negotiated frameMax', () => {
  const resolved = resolveOptions(options, { name: 'test', version: '0' });
  const channelWith = (frameMax: unknown) => ({ connection: { frameMax } });
  /** User headers of `bytes` encoded bytes (table length included). */
  const userHeaders = (bytes: number) => ({ 'x-pad': 'x'.repeat(bytes - 4 - (1 + 5 + 1 + 4)) });

  it('reads frameMax from the channel’s connection, defensively', () => {
    expect(negotiatedFrameMax(channelWith(8192))).toBe(8192);
    expect(negotiatedFrameMax(channelWith('8192'))).toBeUndefined();
    expect(negotiatedFrameMax({ get connection(): never { throw new Error('x'); } })).toBeUndefined();
    expect(negotiatedFrameMax(undefined)).toBeUndefined();
    expect(headerTableLimit(channelWith(0xffffffff), undefined)).toBe(65536);
    expect(headerTableLimit(channelWith(8192), undefined)).toBe(8192 - 22);
  });

  it('counts the other properties that share the content header frame', () => {
    expect(otherPropertiesSize({ contentType: 'application/json', persistent: true, timestamp: 1, expiration: 60000, priority: 1 })).toBe(1 + 16 + 1 + 8 + 1 + 5 + 1);
    expect(headerTableLimit(channelWith(8192), { messageId: 'abc' })).toBe(8192 - 22 - 4);
  });

  it('8.1 KB of user headers on a frameMax of 8192: published without context, one warning', () => {
    const warn = vi.spyOn(diag, 'warn').mockImplementation(() => undefined);
    const headers = userHeaders(8192 - 22 - 40);
    expect(fieldTableSize(headers)).toBe(8192 - 22 - 40);
    const sent = publishOptions(resolved, { headers }, active, channelWith(8192)) as { headers: Record<string, unknown> };
    expect(sent.headers).toEqual(headers);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(fieldTableSize(sent.headers)).toBeLessThanOrEqual(8192 - 22);
  });

  it('the same headers on RabbitMQ’s default frameMax (131072) carry the context', () => {
    const headers = userHeaders(8192 - 22 - 40);
    const sent = publishOptions(resolved, { headers }, active, channelWith(131072)) as { headers: Record<string, unknown> };
    expect(sent.headers.traceparent).toBe(traceparent);
  });

  it('baggage is trimmed first when that is enough', () => {
    const big = propagation.setBaggage(active, propagation.createBaggage({ a: { value: '1' }, b: { value: 'x'.repeat(200) } }));
    const headers = userHeaders(8192 - 22 - 150);
    const sent = publishOptions(resolved, { headers }, big, channelWith(8192)) as { headers: Record<string, unknown> };
    expect(sent.headers.traceparent).toBe(traceparent);
    expect(sent.headers.baggage).toBe('a=1');
  });
});
