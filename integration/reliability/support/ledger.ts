// Message accounting for fault tests: what each producer had acknowledged, what failed, what
// each consumer saw (and how often), and the errors and client events along the way.

/** The normalised form of an error for comparing raw and wrapped clients. */
export interface SeenError {
  readonly name: string;
  readonly message: string;
}

export function seenError(error: unknown): SeenError {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: typeof error, message: String(error) };
}

export class Ledger {
  readonly variant: string;
  /** Message ids the broker acknowledged. */
  readonly acked = new Set<string>();
  /** Message ids whose publish failed (or whose outcome the client never reported). */
  readonly failed = new Set<string>();
  /** Deliveries per message id. */
  readonly received = new Map<string, number>();
  readonly producerErrors: SeenError[] = [];
  /** Errors the clients emitted as events (consumer crashes, connection errors). */
  readonly consumerErrors: SeenError[] = [];
  /** Client events (connect, disconnect, crash, rejoin…), in order. */
  readonly events: string[] = [];

  constructor(variant: string) {
    this.variant = variant;
  }

  receive(id: string): void {
    this.received.set(id, (this.received.get(id) ?? 0) + 1);
  }

  /** How many times `event` happened. */
  count(event: string): number {
    return this.events.filter((e) => e === event).length;
  }

  /** Acknowledged messages never delivered. */
  lost(): string[] {
    return [...this.acked].filter((id) => !this.received.has(id));
  }

  /** Deliveries beyond the first (at-least-once redeliveries). */
  duplicates(): number {
    let extra = 0;
    for (const count of this.received.values()) extra += count - 1;
    return extra;
  }

  allAckedReceived(): boolean {
    for (const id of this.acked) if (!this.received.has(id)) return false;
    return true;
  }

  /** A one-line account, for test output and docs/reliability.md. */
  summary(): string {
    const errors = [...new Set(this.producerErrors.map((e) => e.name))].join(', ') || 'none';
    return `${this.variant}: ${this.acked.size} acked, ${this.failed.size} failed (${errors}), ${this.received.size} received, ${this.lost().length} lost, ${this.duplicates()} redelivered; events: ${[...new Set(this.events)].map((e) => `${e}×${this.count(e)}`).join(', ')}`;
  }
}

/** Polls `check` every `intervalMs` until it holds or `timeoutMs` passes; says which. */
export async function waitUntil(check: () => boolean, timeoutMs: number, intervalMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return true;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Paces a load loop at a fixed rate, the same for the raw and the traced client, so that both
 * keep the same backlog in the broker: what a crash loses depends on that backlog, and a
 * comparison of losses is only fair at equal exposure. A loop that fell behind (during an
 * outage) resumes at the rate, without a burst to catch up.
 */
export class Pacer {
  readonly #intervalMs: number;
  #next = performance.now();

  constructor(perSecond: number) {
    this.#intervalMs = 1000 / perSecond;
  }

  async next(): Promise<void> {
    const now = performance.now();
    if (this.#next < now - this.#intervalMs) this.#next = now;
    this.#next += this.#intervalMs;
    if (this.#next > now) await sleep(this.#next - now);
  }
}

/** Messages per second each load loop sends: well within what either client sustains. */
export const LOAD_RATE = 400;
