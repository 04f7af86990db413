// Fuzzes @tracehop/amqplib's header functions with hostile AMQP header tables: never a throw,
// the caller's table untouched, user headers kept by identity, and — checked with amqplib's
// own table encoder in its 64 KiB buffer — a table amqplib could publish before is one it
// can still publish after the context was added (baggage is trimmed, never the user's data).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { propagation, trace } from '@opentelemetry/api';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { isOwnedHeader, resolveOptions, type HeaderMap, type TracehopOptions } from '@tracehop/core';
import { HEADER_TABLE_LIMIT, extractAmqpContext, injectAmqpHeaders } from '../../src/index.js';
import { extractedContextProblem, injectedHeaderProblem } from '../../../core/test/fuzz/support/header-output-checks.js';
import { fuzzParameters, fuzzTimeout } from '../../../core/test/fuzz/support/fuzz-config.js';
import { typeViolatingContext } from '../../../core/test/fuzz/support/hostile-contexts.js';
import { hostileCarrier, hostileHeaders } from '../../../core/test/fuzz/support/hostile-values.js';
import { PropertyViolation, holds, runGuarded } from '../../../core/test/fuzz/support/run-guarded.js';

// amqplib's own field-table encoder (lib/codec.js), with a buffer the size of its scratch buffer.
const require = createRequire(import.meta.url);
const codec = require(join(dirname(require.resolve('amqplib')), 'lib', 'codec.js')) as {
  encodeTable(buffer: Buffer, table: object, offset: number): number;
};
const scratch = Buffer.alloc(HEADER_TABLE_LIMIT);

function encodable(table: object): boolean {
  try {
    codec.encodeTable(scratch, table, 0);
    return true;
  } catch {
    return false;
  }
}

const OPTIONS: TracehopOptions[] = [
  undefined as unknown as TracehopOptions,
  { propagator: 'tracecontext,baggage' },
  { propagator: 'b3multi,baggage', b3CanonicalCase: true },
  { propagator: 'jaeger' },
  { propagator: 'tracecontext', extract: 'tracecontext,baggage,b3,b3multi,jaeger' },
  { propagator: 'b3', inbound: 'ignore' },
  { propagator: 'tracecontext,baggage', baggage: 'drop' },
  { propagator: 'tracecontext,baggage', baggage: ['tenant', '__proto__', 'user'] },
  { propagator: 'tracecontext,baggage', inbound: 'link' },
];
const OWNED = OPTIONS.map((options) => resolveOptions(options, { name: 'fuzz', version: '0' }).ownedHeaders);
const optionsArb = fc.constantFrom(...OPTIONS.map((options, index) => ({ index, options })));

describe('@tracehop/amqplib header functions under hostile input', () => {
  it(
    'injectAmqpHeaders: no throw, caller untouched, user headers by identity, still within amqplib’s 64 KiB table',
    () => {
      fc.assert(
        fc.property(hostileHeaders, typeViolatingContext, optionsArb, (headers, context, { index, options }) => {
          const out = runGuarded(headers, (input) => injectAmqpHeaders(input as HeaderMap, context, options));
          const owned = OWNED[index]!;
          // amqplib sends every enumerable key, inherited ones too: every one of the caller's
          // that is not a format's must be in the copy, as the very same value.
          const userPart: Record<string, unknown> = {};
          for (const name in headers) {
            if (isOwnedHeader(owned, name)) continue;
            Object.defineProperty(userPart, name, { value: headers[name], enumerable: true });
            if (!Object.is(out[name], headers[name])) throw new PropertyViolation(`header ${JSON.stringify(name)} is not the caller’s value`);
          }
          // Anything else in the copy is a format header tracehop wrote (well-formed, within the
          // limits) — or, when the caller's own table is too large for any context, the caller's.
          const written = Object.keys(out).filter((name) => isOwnedHeader(owned, name) && !Object.is(out[name], headers[name]));
          holds(injectedHeaderProblem(Object.fromEntries(written.map((name) => [name, out[name]]))));
          // Whenever amqplib can publish the caller's own headers, it can publish the copy.
          if (encodable(userPart) && !encodable(out)) throw new PropertyViolation('amqplib can no longer encode the headers');
        }),
        fuzzParameters(),
      );
    },
    fuzzTimeout(),
  );

  it(
    'extractAmqpContext: no throw, a sound context or none, and the trust policies hold',
    () => {
      fc.assert(
        fc.property(hostileCarrier, optionsArb, (headers, { options }) => {
          const context = runGuarded(headers, (input) => extractAmqpContext(input as HeaderMap, options));
          holds(extractedContextProblem(context));
          if ((options?.inbound === 'ignore' || options?.inbound === 'link') && trace.getSpanContext(context) !== undefined) {
            throw new PropertyViolation(`a span came through inbound: '${options.inbound}'`);
          }
          const baggage = propagation.getBaggage(context);
          if (options?.baggage === 'drop' && baggage !== undefined) throw new PropertyViolation("baggage came through baggage: 'drop'");
          if (Array.isArray(options?.baggage) && baggage !== undefined) {
            for (const [key] of baggage.getAllEntries()) {
              if (!options.baggage.includes(key)) throw new PropertyViolation(`baggage key ${JSON.stringify(key)} is not on the allow-list`);
            }
          }
        }),
        fuzzParameters(),
      );
    },
    fuzzTimeout(),
  );
});
