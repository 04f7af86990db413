import type { Context } from '@opentelemetry/api';
import { ROOT_CONTEXT, propagation, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { headerGetter, headerSetter } from '../../src/header-carrier.js';
import { B3_DEBUG_FLAG_KEY } from '../../src/propagation/b3-propagator.js';
import { createPropagator } from '../../src/propagation/create-propagator.js';
import { baggageVectors } from './vectors/baggage.js';
import { b3Vectors } from './vectors/b3.js';
import { jaegerVectors, mixedVectors } from './vectors/jaeger-and-mixed.js';
import { traceContextVectors } from './vectors/trace-context.js';
import { CHILD_SPAN_ID, type Vector } from './vectors/types.js';

const suites: Record<string, Vector[]> = {
  'W3C trace context': traceContextVectors,
  'W3C baggage': baggageVectors,
  B3: b3Vectors,
  Jaeger: jaegerVectors,
  'mixed sets': mixedVectors,
};

type Encoding = 'strings' | 'Buffers';

/** The inbound headers as a broker client hands them over: strings (amqplib) or Buffers (kafkajs). */
function wire(headers: Vector['headers'], encoding: Encoding): Record<string, unknown> {
  const encode = (value: string) => (encoding === 'strings' ? value : Buffer.from(value, 'utf8'));
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, typeof value === 'string' ? encode(value) : value.map(encode)]),
  );
}

function baggageOf(context: Context): Record<string, string | { value: string; properties: string }> | undefined {
  const baggage = propagation.getBaggage(context);
  if (baggage === undefined) return undefined;
  return Object.fromEntries(
    baggage
      .getAllEntries()
      .map(([key, entry]) => [key, entry.metadata === undefined ? entry.value : { value: entry.value, properties: entry.metadata.toString() }]),
  );
}

function check(vector: Vector, encoding: Encoding): void {
  const extracted = createPropagator(vector.propagators).extract(ROOT_CONTEXT, wire(vector.headers, encoding), headerGetter);
  const spanContext = trace.getSpanContext(extracted);
  if (vector.spanContext === null) {
    expect(spanContext).toBeUndefined();
  } else {
    const { traceState, ...ids } = vector.spanContext;
    expect(spanContext).toEqual({ ...ids, isRemote: true, ...(traceState === undefined ? {} : { traceState: expect.anything() }) });
    expect(spanContext?.traceState?.serialize()).toBe(traceState);
  }
  expect(baggageOf(extracted)).toEqual(vector.baggage);
  expect(extracted.getValue(B3_DEBUG_FLAG_KEY)).toBe(vector.b3Debug);
  if (vector.reinject !== undefined) {
    const carrier: Record<string, unknown> = {};
    createPropagator(vector.reinject.propagators ?? vector.propagators).inject(extracted, carrier, headerSetter);
    expect(carrier).toEqual(vector.reinject.headers);
  }
  if (vector.reinjectChild !== undefined) {
    const parent = trace.getSpanContext(extracted)!;
    // As the SDK starts a child: a new span id, the parent's trace id, only the sampled bit.
    const child = trace.setSpanContext(extracted, {
      traceId: vector.reinjectChild.traceId ?? parent.traceId,
      spanId: CHILD_SPAN_ID,
      traceFlags: parent.traceFlags & 0x01,
    });
    const carrier: Record<string, unknown> = {};
    createPropagator(vector.reinjectChild.propagators ?? vector.propagators).inject(child, carrier, headerSetter);
    expect(carrier).toEqual(vector.reinjectChild.headers);
  }
}

describe('propagation test vectors', () => {
  it('has at least 40 cases, each naming the rule it checks, all names distinct', () => {
    const all = Object.values(suites).flat();
    expect(all.length).toBeGreaterThanOrEqual(40);
    for (const vector of all) expect(vector.rule.length).toBeGreaterThan(10);
    expect(new Set(all.map((vector) => vector.name)).size).toBe(all.length);
  });

  for (const [suite, vectors] of Object.entries(suites)) {
    describe(suite, () => {
      for (const vector of vectors) {
        describe(vector.name, () => {
          it.each<Encoding>(['strings', 'Buffers'])(`${vector.rule} (%s)`, (encoding) => check(vector, encoding));
        });
      }
    });
  }
});
