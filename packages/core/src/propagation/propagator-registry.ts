import type { TextMapPropagator } from '@opentelemetry/api';
import { B3Propagator } from './b3-propagator.js';
import { BaggagePropagator } from './baggage-propagator.js';
import { JaegerPropagator } from './jaeger-propagator.js';
import type { PropagatorName } from './propagator-names.js';
import { TraceContextPropagator } from './trace-context-propagator.js';

/** Settings that change how some formats are written. */
export interface PropagatorSettings {
  /**
   * Write B3 multi headers in their canonical mixed case (`X-B3-TraceId`) instead of
   * lowercase, for peers that look header names up case-sensitively. Default: false.
   */
  readonly b3CanonicalCase?: boolean;
}

/**
 * Builds the propagator for one name (`none` is handled by the caller). Every format is
 * tracehop's own implementation of its specification (docs/propagation.md); the stock
 * OpenTelemetry propagators are not used at run time.
 */
export function propagatorFor(name: Exclude<PropagatorName, 'none'>, settings: PropagatorSettings = {}): TextMapPropagator {
  switch (name) {
    case 'tracecontext':
      return new TraceContextPropagator();
    case 'baggage':
      return new BaggagePropagator();
    case 'b3':
      return new B3Propagator({ injectEncoding: 'single' });
    case 'b3multi':
      return new B3Propagator({ injectEncoding: 'multi', canonicalCase: settings.b3CanonicalCase === true });
    case 'jaeger':
      return new JaegerPropagator();
  }
}
