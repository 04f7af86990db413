// Found by amqp-headers.fuzz.test.ts: when the caller's own header table is already over
// amqplib's 64 KiB limit, injectAmqpHeaders falls back to a copy of the headers — which must
// still be every header amqplib itself would send, inherited enumerable ones included
// (amqplib encodes what `for…in` sees), as the within-limit path already does.
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { injectAmqpHeaders } from '../../src/index.js';

describe('injectAmqpHeaders on a table that is already too large', () => {
  it('keeps inherited headers, as it does for a table within the limit', () => {
    const defaults = { 'x-tenant': 'acme' };
    const fits = Object.assign(Object.create(defaults) as Record<string, unknown>, { 'x-small': 'b' });
    const tooLarge = Object.assign(Object.create(defaults) as Record<string, unknown>, { 'x-big': 'a'.repeat(70_000) });

    expect(injectAmqpHeaders(fits, ROOT_CONTEXT, { propagator: 'tracecontext' })['x-tenant']).toBe('acme');
    // Without it, a table that amqplib would refuse (RangeError) could be published, silently
    // without the inherited headers, by a caller that sends the copy.
    expect(injectAmqpHeaders(tooLarge, ROOT_CONTEXT, { propagator: 'tracecontext' })['x-tenant']).toBe('acme');
  });
});
