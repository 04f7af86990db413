// What a consumer received, in order, with a wait for the next one (event-driven: the test
// timeout bounds every wait).
import { trace } from '@opentelemetry/api';

export interface Received {
  readonly body: string;
  /** The trace headers the message carried (names, lowercase, sorted). */
  readonly headers: string[];
  /** The span active in the handler, if any. */
  readonly activeSpanId: string | undefined;
}

const TRACE_HEADER = /^(traceparent|tracestate|baggage|b3|x-b3-.*|uber-trace-id)$/i;

export class Inbox {
  readonly received: Received[] = [];
  readonly #waiters: Array<() => void> = [];

  push(body: string, headers: Record<string, unknown> | undefined): void {
    const names = Object.keys(headers ?? {})
      .filter((key) => TRACE_HEADER.test(key))
      .map((key) => key.toLowerCase())
      .sort();
    this.received.push({ body, headers: names, activeSpanId: trace.getActiveSpan()?.spanContext().spanId });
    for (const wake of this.#waiters.splice(0)) wake();
  }

  /** Resolves with the `index`-th message received (0 first), once it has arrived. */
  async nth(index: number): Promise<Received> {
    while (this.received.length <= index) await new Promise<void>((resolve) => this.#waiters.push(resolve));
    return this.received[index]!;
  }

  /** Resolves with the message whose body is `body`, once it has arrived. */
  async next(body: string): Promise<Received> {
    for (;;) {
      const found = this.received.find((message) => message.body === body);
      if (found !== undefined) return found;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }
}
