// Fuzzes @tracehop/kafkajs's header functions with hostile kafkajs header maps: never a throw,
// the caller's map untouched, user headers kept by identity (same Buffers, same bytes),
// nullish values dropped, and — checked with kafkajs's own record encoder — a map kafkajs
// could send before is one it can still send after the context was added.
import { createRequire } from 'node:module';
import { ROOT_CONTEXT, propagation, trace } from '@opentelemetry/api';
import fc from 'fast-check';
import type { IHeaders } from 'kafkajs';
import { describe, it } from 'vitest';
import { isOwnedHeader, resolveOptions, type TracehopOptions } from '@tracehop/core';
import { extractKafkaContext, injectKafkaHeaders } from '../../src/index.js';
import { extractedContextProblem, injectedHeaderProblem } from '../../../core/test/fuzz/support/header-output-checks.js';
import { fuzzParameters, fuzzTimeout } from '../../../core/test/fuzz/support/fuzz-config.js';
import { typeViolatingContext } from '../../../core/test/fuzz/support/hostile-contexts.js';
import { hostileCarrier, hostileHeaders } from '../../../core/test/fuzz/support/hostile-values.js';
import { PropertyViolation, holds, runGuarded } from '../../../core/test/fuzz/support/run-guarded.js';

// kafkajs's encoder for one record (v2 record batches), headers included.
const encodeRecord = createRequire(import.meta.url)('kafkajs/src/protocol/recordBatch/record/v0') as (record: object) => unknown;

function encodable(headers: object): boolean {
  try {
    encodeRecord({ key: null, value: Buffer.from('v'), headers });
    return true;
  } catch {
    return false;
  }
}

function withoutNullish(headers: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(headers)) {
    if (headers[name] != null) Object.defineProperty(out, name, { value: headers[name], enumerable: true, writable: true, configurable: true });
  }
  return out;
}

// Options objects are resolved once each: a small fixed set, as an application would have.
const OPTIONS: TracehopOptions[] = [
  undefined as unknown as TracehopOptions,
  { propagator: 'tracecontext,baggage' },
  { propagator: 'b3multi', b3CanonicalCase: true },
  { propagator: 'jaeger' },
  { propagator: 'tracecontext', extract: 'tracecontext,baggage,b3,b3multi,jaeger' },
  { propagator: 'b3', inbound: 'ignore' },
  { propagator: 'tracecontext,baggage', baggage: 'drop' },
  { propagator: 'tracecontext,baggage', baggage: ['tenant', '__proto__', 'user'] },
  { propagator: 'tracecontext,baggage', inbound: 'link' },
];
const OWNED = OPTIONS.map((options) => resolveOptions({ ...options, spans: false }, { name: 'fuzz', version: '0' }).ownedHeaders);
const optionsArb = fc.constantFrom(...OPTIONS.map((options, index) => ({ index, options })));

describe('@tracehop/kafkajs header functions under hostile input', () => {
  it(
    'injectKafkaHeaders: no throw, caller untouched, user headers by identity, nullish dropped, still encodable',
    () => {
      fc.assert(
        fc.property(hostileHeaders, typeViolatingContext, optionsArb, (headers, context, { index, options }) => {
          const out = runGuarded(headers, (input) => injectKafkaHeaders(input as IHeaders, context, options)) as Record<string, unknown>;
          const owned = OWNED[index]!;
          for (const name of Object.keys(headers)) {
            const value = headers[name];
            if (isOwnedHeader(owned, name)) continue;
            if (value == null) {
              if (Object.prototype.hasOwnProperty.call(out, name)) throw new PropertyViolation(`the nullish header ${JSON.stringify(name)} was kept`);
            } else if (!Object.is(out[name], value)) {
              throw new PropertyViolation(`header ${JSON.stringify(name)} is not the caller’s value`);
            }
          }
          holds(injectedHeaderProblem(Object.fromEntries(Object.keys(out).filter((name) => isOwnedHeader(owned, name)).map((name) => [name, out[name]]))));
          if (encodable(withoutNullish(headers)) && !encodable(out)) throw new PropertyViolation('kafkajs can no longer encode the headers');
        }),
        fuzzParameters(),
      );
    },
    fuzzTimeout(),
  );

  it(
    'extractKafkaContext: no throw, a sound context or none, and the trust policies hold',
    () => {
      fc.assert(
        fc.property(hostileCarrier, optionsArb, (headers, { options }) => {
          const context = runGuarded(headers, (input) => extractKafkaContext(input as IHeaders, options));
          holds(extractedContextProblem(context));
          if (options?.inbound === 'ignore' && trace.getSpanContext(context) !== undefined) throw new PropertyViolation("a span came through inbound: 'ignore'");
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

  it('ROOT_CONTEXT stays the base: garbage never yields a span', () => {
    const garbage = { traceparent: Buffer.from([0xff, 0xfe]), b3: [['nested']], 'uber-trace-id': 42 } as unknown as IHeaders;
    const context = extractKafkaContext(garbage, { propagator: 'tracecontext', extract: 'tracecontext,b3,jaeger' });
    if (trace.getSpanContext(context) !== trace.getSpanContext(ROOT_CONTEXT)) throw new PropertyViolation('a span from garbage');
  });
});
