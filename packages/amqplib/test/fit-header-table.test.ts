import { diag } from '@opentelemetry/api';
import type { OwnedHeaders } from '@tracehop/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fitHeaderTable } from '../src/fit-header-table.js';
import { HEADER_TABLE_LIMIT, fieldTableSize } from '../src/header-table-size.js';

afterEach(() => vi.restoreAllMocks());

const w3c: OwnedHeaders = { names: new Set(['traceparent', 'tracestate', 'baggage']), prefixes: [] };
const jaeger: OwnedHeaders = { names: new Set(['uber-trace-id']), prefixes: ['uberctx-'] };
const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

// Table: 4-byte length; entry: 1 + key bytes + 1 (tag) + 4 (length) + value bytes for strings.
const entry = (key: string, value: string) => 1 + key.length + 1 + 4 + value.length;
/** A user header that leaves exactly `room` bytes of the table for everything else. */
const filler = (room: number) => 'x'.repeat(HEADER_TABLE_LIMIT - 4 - room - entry('x-big', ''));

describe('fitHeaderTable', () => {
  it('returns the very same headers when they fit', () => {
    const headers = { 'x-user': 'u', traceparent, baggage: 'a=1' };
    const result = fitHeaderTable(headers, w3c, 0);
    expect(result).toEqual({ fits: true, headers });
    expect(result.fits && result.headers).toBe(headers);
  });

  it('drops W3C baggage list-members from the end, keeping as many as fit exactly', () => {
    const warn = vi.spyOn(diag, 'warn');
    const room = entry('traceparent', traceparent) + entry('baggage', 'a=1,b=2');
    const headers: Record<string, unknown> = { 'x-big': filler(room), traceparent, baggage: 'a=1,b=2,c=3' };
    const result = fitHeaderTable(headers, w3c, 0);
    expect(result).toEqual({ fits: true, headers: { 'x-big': headers['x-big'], traceparent, baggage: 'a=1,b=2' } });
    expect(fieldTableSize(headers)).toBe(HEADER_TABLE_LIMIT);
    expect(warn).toHaveBeenCalledWith('tracehop: baggage trimmed so that the AMQP header table stays within 65536 bytes');
  });

  it('drops the baggage header when not even one member fits', () => {
    const room = entry('traceparent', traceparent) + entry('baggage', 'a=');
    const headers: Record<string, unknown> = { 'x-big': filler(room), traceparent, baggage: 'a=1' };
    expect(fitHeaderTable(headers, w3c, 0)).toEqual({ fits: true, headers: { 'x-big': headers['x-big'], traceparent } });
  });

  it('drops Jaeger uberctx-* baggage headers one by one, the last first', () => {
    const room = entry('uber-trace-id', 't') + entry('uberctx-a', '1');
    const headers: Record<string, unknown> = { 'x-big': filler(room), 'uber-trace-id': 't', 'uberctx-a': '1', 'uberctx-b': '2' };
    expect(fitHeaderTable(headers, jaeger, 0)).toEqual({ fits: true, headers: { 'x-big': headers['x-big'], 'uber-trace-id': 't', 'uberctx-a': '1' } });
  });

  it('removes every injected header when dropping baggage is not enough', () => {
    const warn = vi.spyOn(diag, 'warn');
    const headers: Record<string, unknown> = { 'x-big': filler(10), traceparent, baggage: 'a=1' };
    expect(fitHeaderTable(headers, w3c, 0)).toEqual({ fits: true, headers: { 'x-big': headers['x-big'] } });
    expect(warn).toHaveBeenCalledWith(
      'tracehop: the AMQP header table would exceed 65536 bytes; the message is published without trace context',
    );
  });

  it('counts what amqplib adds itself (CC, BCC)', () => {
    const room = entry('traceparent', traceparent);
    const headers: Record<string, unknown> = { 'x-big': filler(room), traceparent };
    expect(fitHeaderTable({ ...headers }, w3c, 0)).toMatchObject({ headers: { traceparent } });
    expect(fitHeaderTable({ ...headers }, w3c, 1)).toEqual({ fits: true, headers: { 'x-big': headers['x-big'] } });
  });

  it('leaves headers that are too large on their own to amqplib', () => {
    const headers = { 'x-huge': 'x'.repeat(HEADER_TABLE_LIMIT), traceparent };
    expect(fitHeaderTable(headers, w3c, 0)).toEqual({ fits: false });
  });
});
