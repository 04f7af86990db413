import type { SpanContext } from '@opentelemetry/api';

/** One deployment's propagation set, and what it must put on the wire. */
export interface KafkaFormat {
  readonly name: string;
  /** Names written by producers (`propagator`). */
  readonly inject: string;
  /** Names accepted by consumers (`extract`); default: `inject`. */
  readonly extract?: string;
  /** The exact context headers a message carries for this span context and baggage. */
  wire(spanContext: SpanContext, baggage?: string): Record<string, string>;
  /** Older deployments whose messages this set must still accept (migration). */
  readonly legacy?: readonly KafkaFormat[];
}

const withBaggage = (headers: Record<string, string>, baggage: string | undefined) =>
  baggage === undefined ? headers : { ...headers, baggage };

export const TRACECONTEXT: KafkaFormat = {
  name: 'tracecontext',
  inject: 'tracecontext,baggage',
  // W3C Trace Context, "traceparent Header": version 00, sampled flag 01.
  wire: ({ traceId, spanId }, baggage) => withBaggage({ traceparent: `00-${traceId}-${spanId}-01` }, baggage),
};

export const B3: KafkaFormat = {
  name: 'b3',
  inject: 'b3,baggage',
  // openzipkin/b3-propagation, "Single Header": {TraceId}-{SpanId}-{SamplingState}.
  wire: ({ traceId, spanId }, baggage) => withBaggage({ b3: `${traceId}-${spanId}-1` }, baggage),
};

export const B3_MULTI: KafkaFormat = {
  name: 'b3multi',
  inject: 'b3multi,baggage',
  // openzipkin/b3-propagation, "Multiple Headers" (lowercase by default in tracehop).
  wire: ({ traceId, spanId }, baggage) =>
    withBaggage({ 'x-b3-traceid': traceId, 'x-b3-spanid': spanId, 'x-b3-sampled': '1' }, baggage),
};

/** Migration: new producers write W3C, consumers still accept both B3 encodings. */
export const MIGRATION: KafkaFormat = {
  name: 'migration (inject tracecontext, accept tracecontext,b3,b3multi)',
  inject: 'tracecontext,baggage',
  extract: 'tracecontext,b3,b3multi,baggage',
  wire: TRACECONTEXT.wire,
  legacy: [B3, B3_MULTI],
};
