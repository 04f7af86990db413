// Measures what a long run could leak: the heap after forced garbage collection, the timers
// alive in the process (unref'd ones too, which process.getActiveResourcesInfo() omits, and
// which is what tracehop's safety timers are), and the listeners on the clients' emitters.
import { createHook } from 'node:async_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// `--expose-gc` for this worker only: the flag takes effect for contexts created after it.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Messages per adapter: the full soak under `pnpm test:soak`, a reduced run otherwise. */
export const SOAK_MESSAGES = process.env.TRACEHOP_SOAK === '1' ? 1_000_000 : 20_000;

/** Bytes the heap may grow between the warmed-up point and the end (issue 9: 10 MB). */
export const HEAP_GROWTH_LIMIT = 10 * 1024 * 1024;

// Timeout objects by async id, from creation to their destroy hook. Node emits destroy hooks
// in batches, a little after a timer fired or was cleared; the Timeout's own `_destroyed`
// flag says at once, so a timer that fired a moment ago is not counted as alive.
const live = new Map<number, { _destroyed?: boolean }>();
const hook = createHook({
  init(asyncId, type, _trigger, resource) {
    if (type === 'Timeout') live.set(asyncId, resource as { _destroyed?: boolean });
  },
  destroy(asyncId) {
    live.delete(asyncId);
  },
});

/** Starts counting live timers (every Timeout created from now on, until it fires or is cleared). */
export function trackTimers(): void {
  hook.enable();
}

export function stopTrackingTimers(): void {
  hook.disable();
  live.clear();
}

/** Timers created since `trackTimers()` that are still alive. */
export function liveTimers(): number {
  let count = 0;
  for (const timer of live.values()) if (timer._destroyed !== true) count++;
  return count;
}

/** heapUsed after collecting garbage until it stops shrinking (at most five passes). */
export async function heapAfterGc(): Promise<number> {
  let previous = Infinity;
  for (let pass = 0; pass < 5; pass++) {
    gc();
    // Let finalizers and weak callbacks run between passes.
    await new Promise((resolve) => setImmediate(resolve));
    const used = process.memoryUsage().heapUsed;
    if (used >= previous - 64 * 1024) return used;
    previous = used;
  }
  return process.memoryUsage().heapUsed;
}

/** Active handles other than timers (sockets, servers…), as Node counts them. */
export function activeHandles(): number {
  return process.getActiveResourcesInfo().filter((type) => type !== 'Timeout' && type !== 'Immediate').length;
}

/** Listener counts per event name of an EventEmitter-like object. */
export function listenerCounts(emitter: { eventNames(): (string | symbol)[]; listenerCount(event: string | symbol): number }): Record<string, number> {
  return Object.fromEntries(emitter.eventNames().map((event) => [String(event), emitter.listenerCount(event)]));
}

/** One checkpoint of a soak, for the test's output and docs/reliability.md. */
export interface Checkpoint {
  readonly messages: number;
  readonly heapBytes: number;
  readonly timers: number;
  readonly openSpans: number;
}

export const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
