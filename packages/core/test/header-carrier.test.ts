import { describe, expect, it } from 'vitest';
import { decodeHeaderValue, headerGetter, readHeader } from '../src/header-carrier.js';

describe('headerGetter', () => {
  it('reads strings and Buffers alike', () => {
    expect(headerGetter.get({ traceparent: 'a' }, 'traceparent')).toBe('a');
    expect(headerGetter.get({ traceparent: Buffer.from('b') }, 'traceparent')).toBe('b');
    expect(headerGetter.get({ traceparent: new Uint8Array([0x63]) }, 'traceparent')).toBe('c');
  });

  it('compares header names case-insensitively', () => {
    expect(headerGetter.get({ TraceParent: 'x' }, 'traceparent')).toBe('x');
    expect(headerGetter.get({ 'X-B3-TraceId': Buffer.from('y') }, 'x-b3-traceid')).toBe('y');
  });

  it('collapses identical repeats and keeps conflicting ones apart', () => {
    expect(decodeHeaderValue([Buffer.from('v'), 'v'])).toBe('v');
    expect(decodeHeaderValue(['v', 'w', 'v'])).toEqual(['v', 'w']);
    expect(headerGetter.get({ traceparent: 'v', TRACEPARENT: 'w' }, 'traceparent')).toEqual(['v', 'w']);
    expect(headerGetter.get({ traceparent: 'v', TRACEPARENT: 'v' }, 'traceparent')).toBe('v');
  });

  it('ignores values that are not text', () => {
    expect(decodeHeaderValue(42)).toBeUndefined();
    expect(decodeHeaderValue(true)).toBeUndefined();
    expect(decodeHeaderValue({ nested: 'table' })).toBeUndefined();
    expect(decodeHeaderValue(null)).toBeUndefined();
    expect(decodeHeaderValue([[Buffer.from('deep')]])).toBeUndefined();
    expect(decodeHeaderValue([1, 'ok'])).toBe('ok');
  });

  it('never throws, whatever the carrier', () => {
    const hostile = new Proxy({}, { get: () => { throw new Error('boom'); }, ownKeys: () => { throw new Error('boom'); } });
    expect(headerGetter.get(hostile, 'traceparent')).toBeUndefined();
    expect(headerGetter.keys(hostile)).toEqual([]);
    expect(headerGetter.get(null as never, 'traceparent')).toBeUndefined();
    expect(headerGetter.keys(undefined as never)).toEqual([]);
  });

  it('does not read inherited properties or mutate the carrier', () => {
    const carrier = Object.freeze(Object.create({ traceparent: 'inherited' }) as Record<string, unknown>);
    expect(headerGetter.get(carrier, 'traceparent')).toBeUndefined();
    const plain = Object.freeze({ TraceParent: Buffer.from('x') });
    expect(readHeader(plain, 'traceparent')).toEqual(Buffer.from('x'));
  });
});
