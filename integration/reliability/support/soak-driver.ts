// Drives a leak soak the same way for every adapter: warm up, take a checkpoint (heap after
// GC, live timers, open spans, listener counts), run the bulk of the messages, take another,
// then close the clients and check that their timers are gone too.
import { expect } from 'vitest';
import { HEAP_GROWTH_LIMIT, activeHandles, heapAfterGc, liveTimers, mib, type Checkpoint } from './leak-probe.js';
import { waitUntil } from './ledger.js';
import type { SpanCounter } from './span-counter.js';

export interface SoakClients {
  /** Sends `count` more messages (resolves once the broker has them). */
  produce(count: number): Promise<void>;
  /** Messages the consumer has handled so far. */
  received(): number;
  /** Listener counts of every emitter worth watching, keyed by a label. */
  listeners(): Record<string, number>;
  close(): Promise<void>;
}

export interface SoakResult {
  readonly warm: Checkpoint;
  readonly end: Checkpoint;
  readonly timersBeforeClients: number;
  readonly timersAfterClose: number;
  readonly handlesBeforeClients: number;
  readonly handlesAfterClose: number;
}

async function settle(counter: SpanCounter, target: number, clients: SoakClients): Promise<void> {
  expect(await waitUntil(() => clients.received() >= target, 600_000, 20)).toBe(true);
  await counter.waitFor(() => counter.open.size === 0);
}

async function checkpoint(messages: number, counter: SpanCounter): Promise<Checkpoint> {
  return { messages, heapBytes: await heapAfterGc(), timers: liveTimers(), openSpans: counter.open.size };
}

/**
 * Runs `total` messages through `clients` and asserts: no span left open, every span started
 * was ended, listener counts unchanged, no timer left behind (beyond `timerSlack` the
 * clients' own periodic timers may have in flight), the heap within 10 MB of the warmed-up
 * point, and no timer or handle (socket) of the clients' left once they are closed.
 */
export async function soak(name: string, counter: SpanCounter, total: number, open: () => Promise<SoakClients>, timerSlack = 0): Promise<SoakResult> {
  const timersBeforeClients = liveTimers();
  const handlesBeforeClients = activeHandles();
  const clients = await open();
  const warmCount = Math.max(2_000, Math.round(total / 10));
  await clients.produce(warmCount);
  await settle(counter, warmCount, clients);
  const listenersAtWarm = clients.listeners();
  const warm = await checkpoint(warmCount, counter);

  await clients.produce(total - warmCount);
  await settle(counter, total, clients);
  const end = await checkpoint(total, counter);
  const listenersAtEnd = clients.listeners();

  await clients.close();
  await waitUntil(() => liveTimers() <= timersBeforeClients && activeHandles() <= handlesBeforeClients, 30_000);
  const timersAfterClose = liveTimers();
  const handlesAfterClose = activeHandles();
  const result = { warm, end, timersBeforeClients, timersAfterClose, handlesBeforeClients, handlesAfterClose };
  console.info(
    `[reliability] ${name} soak of ${total} messages: heap ${mib(warm.heapBytes)} at ${warmCount} → ${mib(end.heapBytes)} at ${total} (${mib(end.heapBytes - warm.heapBytes)}); ` +
      `live timers ${warm.timers} → ${end.timers}, ${timersAfterClose} after close (${timersBeforeClients} before); handles ${handlesAfterClose} after close (${handlesBeforeClients} before); open spans ${end.openSpans}; listeners ${JSON.stringify(listenersAtEnd)}`,
  );

  expect(end.openSpans).toBe(0);
  for (const [span, started] of counter.started) expect(counter.ended.get(span), span).toBe(started);
  expect(listenersAtEnd).toEqual(listenersAtWarm);
  expect(end.timers).toBeLessThanOrEqual(warm.timers + timerSlack);
  expect(end.heapBytes - warm.heapBytes).toBeLessThan(HEAP_GROWTH_LIMIT);
  expect(timersAfterClose).toBeLessThanOrEqual(timersBeforeClients);
  expect(handlesAfterClose).toBeLessThanOrEqual(handlesBeforeClients);
  return result;
}
