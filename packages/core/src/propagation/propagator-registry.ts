import type { TextMapPropagator } from '@opentelemetry/api';
import { W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { B3InjectEncoding, B3Propagator } from '@opentelemetry/propagator-b3';
import { JaegerPropagator } from '@opentelemetry/propagator-jaeger';
import type { PropagatorName } from './propagator-names.js';

/** Settings that change how some formats are written. */
export interface PropagatorSettings {
  /**
   * Write B3 multi headers in their canonical mixed case (`X-B3-TraceId`) instead of
   * lowercase, for peers that look header names up case-sensitively. Default: false.
   */
  readonly b3CanonicalCase?: boolean;
}

/** Builds the propagator for one name (`none` is handled by the caller). */
export function propagatorFor(
  name: Exclude<PropagatorName, 'none'>,
  _settings: PropagatorSettings = {},
): TextMapPropagator {
  switch (name) {
    case 'tracecontext':
      return new W3CTraceContextPropagator();
    case 'baggage':
      return new W3CBaggagePropagator();
    case 'b3':
      return new B3Propagator({ injectEncoding: B3InjectEncoding.SINGLE_HEADER });
    case 'b3multi':
      return new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER });
    case 'jaeger':
      return new JaegerPropagator();
  }
}
