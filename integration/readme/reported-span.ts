/** An ended span, as a README block's process reports it to the test (span-reporter.ts). */
export interface ReportedSpan {
  readonly name: string;
  readonly kind: 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER';
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  /** The span ids it links to. */
  readonly links: string[];
  /** SpanStatusCode: 0 unset, 1 ok, 2 error. */
  readonly status: number;
}
