/** One test vector: inbound headers, what must be extracted, and what must be written again. */
export interface Vector {
  /** What the case checks, in a few words. */
  readonly name: string;
  /** The specification rule it checks, with its section. */
  readonly rule: string;
  /** The extract set, as for `createPropagator` (e.g. `'tracecontext,b3,b3multi'`). */
  readonly propagators: string;
  /** The inbound headers; an array is one header sent several times. */
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  /** The span context expected, or null for "no context". */
  readonly spanContext: ExpectedSpanContext | null;
  /** Expected baggage entries (value, or value and properties); omitted: no baggage. */
  readonly baggage?: Readonly<Record<string, string | { value: string; properties: string }>>;
  /** Expected B3 debug flag in the extracted context (`'d'` or `'1'`); omitted: none. */
  readonly b3Debug?: 'd' | '1';
  /**
   * The exact headers written when the extracted context is injected again, with these
   * propagators (default: the extract set).
   */
  readonly reinject?: { readonly propagators?: string; readonly headers: Readonly<Record<string, string>> };
  /**
   * The exact headers written for a span started in the extracted context as the SDK starts
   * one: span id CHILD_SPAN_ID, only the sampled bit in its flags, and the same trace id (or
   * `traceId`, for a span of another trace started there). Extract set by default.
   */
  readonly reinjectChild?: {
    readonly propagators?: string;
    readonly traceId?: string;
    readonly headers: Readonly<Record<string, string>>;
  };
}

export interface ExpectedSpanContext {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
  /** The serialised tracestate; omitted: none. */
  readonly traceState?: string;
}

// Ids used across the vectors: the W3C spec's examples, and the b3-propagation README's.
export const W3C_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
export const W3C_SPAN_ID = '00f067aa0ba902b7';
export const B3_TRACE_ID = '80f198ee56343ba864fe8b2a57d3eff7';
export const B3_SPAN_ID = 'e457b5a2e4d86bd1';
export const B3_PARENT_ID = '05e3ac9a4f6e3b90';
export const B3_TRACE_ID_64 = '463ac35c9f6413ad';
export const PADDED_64 = `0000000000000000${B3_TRACE_ID_64}`;
/** The span id of the child span in `reinjectChild`. */
export const CHILD_SPAN_ID = 'b7ad6b7169203331';
export const TRACEPARENT = `00-${W3C_TRACE_ID}-${W3C_SPAN_ID}-01`;

export const SPEC = {
  traceContext: 'https://www.w3.org/TR/trace-context-2/',
  baggage: 'https://www.w3.org/TR/baggage/',
  b3: 'https://github.com/openzipkin/b3-propagation',
  otelB3: 'https://opentelemetry.io/docs/specs/otel/context/api-propagators/#b3-requirements',
  jaeger: 'https://www.jaegertracing.io/docs/latest/client-libraries/#propagation-format',
} as const;
