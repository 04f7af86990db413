// Tracing as an application sets it up (a global tracer provider and the SDK's default W3C
// propagators; tracehop's wrappers with default options find both), plus what the failover
// tests check of the traces: every delivery's `process` span is the child of the `send` span
// of that very message (redeliveries included), each delivery carried one context, and no
// span is left open.
import { SpanKind, context, propagation, trace, type Span as ApiSpan } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { countingProvider, type SpanCounter } from '../../reliability/support/span-counter.js';

/** What a traced consumer saw of one delivery. */
export interface Delivery {
  readonly id: string;
  /** The active span in the handler (tracehop's `process` span), if any. */
  readonly spanId: string | undefined;
  /** How many trace contexts the message carried (`traceparent` values; 1 expected). */
  readonly contexts: number;
}

export interface TraceCheck {
  readonly deliveries: number;
  /** Deliveries of a message seen before (redeliveries), all checked like first deliveries. */
  readonly redeliveries: number;
  /** Messages whose deliveries descend from more than one `send` span (a retried send). */
  readonly retriedSends: number;
  /** Everything that did not hold, one line each (empty when the traces are whole). */
  readonly problems: string[];
}

export class ClusterTracing {
  readonly counter: SpanCounter;
  readonly deliveries: Delivery[] = [];
  /** The application's span around all attempts to send one message: span id → message id. */
  readonly #appSpans = new Map<string, string>();
  readonly #tracer;

  constructor() {
    const { provider, counter } = countingProvider(1_000_000);
    trace.setGlobalTracerProvider(provider);
    propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
    this.counter = counter;
    this.#tracer = trace.getTracer('cluster-failover-app');
  }

  /** Runs `send` (every attempt to send message `id`) inside one application span. */
  async sending<T>(id: string, send: () => Promise<T>): Promise<T> {
    const span: ApiSpan = this.#tracer.startSpan(`app ${id}`);
    this.#appSpans.set(span.spanContext().spanId, id);
    try {
      return await context.with(trace.setSpan(context.active(), span), send);
    } finally {
      span.end();
    }
  }

  /** Forgets the deliveries and spans of a previous test. */
  reset(): void {
    this.deliveries.length = 0;
    this.remote.length = 0;
    this.counter.reset();
  }

  /** Records a delivery, from inside the consumer's handler. */
  delivered(id: string, contexts: number): void {
    this.deliveries.push({ id, spanId: trace.getActiveSpan()?.spanContext().spanId, contexts });
  }

  /** Records a delivery seen elsewhere (a child process), with its `process` span's parent. */
  readonly remote: Array<{ id: string; parentSpanId: string | undefined; traceId: string | undefined; contexts: number }> = [];

  /** Checks the traces of every delivery to `destination` (`process {destination}` spans). */
  check(destination: string): TraceCheck {
    const spans = new Map<string, ReadableSpan>();
    for (const span of this.counter.kept) spans.set(span.spanContext().spanId, span);
    const problems: string[] = [];
    const seen = new Map<string, Set<string>>();
    let redeliveries = 0;
    const ofMessage = (id: string, sendSpanId: string | undefined, traceId: string | undefined, label: string) => {
      const send = sendSpanId === undefined ? undefined : spans.get(sendSpanId);
      if (send === undefined) return problems.push(`${label}: its parent ${sendSpanId} is no finished span of this process`);
      if (send.kind !== SpanKind.PRODUCER || send.name !== `send ${destination}`) return problems.push(`${label}: parent is ${send.name} (kind ${send.kind})`);
      if (traceId !== undefined && send.spanContext().traceId !== traceId) problems.push(`${label}: another trace than its send span's`);
      // Up from the send span to the application's span around this message's sends.
      let up: ReadableSpan | undefined = send;
      while (up !== undefined && !this.#appSpans.has(up.spanContext().spanId)) up = spans.get(up.parentSpanContext?.spanId ?? '');
      const owner = up === undefined ? undefined : this.#appSpans.get(up.spanContext().spanId);
      if (owner !== id) return problems.push(`${label}: its send span belongs to message ${owner ?? '(none)'}`);
      const sends = seen.get(id) ?? new Set<string>();
      if (seen.has(id)) redeliveries++;
      sends.add(send.spanContext().spanId);
      seen.set(id, sends);
      return 0;
    };
    for (const delivery of this.deliveries) {
      const label = `delivery of ${delivery.id}`;
      if (delivery.contexts !== 1) problems.push(`${label}: carried ${delivery.contexts} contexts`);
      const span = delivery.spanId === undefined ? undefined : spans.get(delivery.spanId);
      if (span === undefined) {
        problems.push(`${label}: no finished process span`);
        continue;
      }
      if (span.kind !== SpanKind.CONSUMER || span.name !== `process ${destination}`) problems.push(`${label}: active span is ${span.name} (kind ${span.kind})`);
      ofMessage(delivery.id, span.parentSpanContext?.spanId, span.spanContext().traceId, label);
    }
    for (const delivery of this.remote) {
      const label = `delivery of ${delivery.id} (child process)`;
      if (delivery.contexts !== 1) problems.push(`${label}: carried ${delivery.contexts} contexts`);
      ofMessage(delivery.id, delivery.parentSpanId, delivery.traceId, label);
    }
    const retriedSends = [...seen.values()].filter((sends) => sends.size > 1).length;
    return { deliveries: this.deliveries.length + this.remote.length, redeliveries, retriedSends, problems };
  }

  /** Resolves with the number of spans still open once none is (or after the wait, with what is left). */
  async openSpansAfterDrain(): Promise<number> {
    await Promise.race([this.counter.waitFor(() => this.counter.open.size === 0), new Promise((resolve) => setTimeout(resolve, 30_000))]);
    return this.counter.open.size;
  }
}

/** The number of `traceparent` values in a header map (any letter case, arrays counted by item). */
export function contextCount(headers: Record<string, unknown> | undefined): number {
  let count = 0;
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() !== 'traceparent') continue;
    count += Array.isArray(value) ? value.length : value === undefined || value === null ? 0 : 1;
  }
  return count;
}
