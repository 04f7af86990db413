// Shared by the @tracehop/amqplib integration tests: the suite's one tracing harness
// (../support/tracing.ts), unique names, and small event-driven waits (no sleeps).
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';

export { parentSpanId } from '../support/tracing.js';

export const amqpUrl = (): string => inject('brokers').amqpUrl;

/** A queue or exchange name no other test (or test run) uses. */
export const uniqueName = (what: string): string => `tracehop-amqplib-${what}-${randomUUID()}`;

export { createTracing } from '../support/tracing.js';
export type { Tracing } from '../support/tracing.js';

/** A promise with its resolve function, for handlers that signal the test. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Collects `count` deliveries (nulls excluded) and resolves with them. */
export function collector<M>(count: number): { add: (message: M) => void; all: Promise<M[]> } {
  const received: M[] = [];
  const done = deferred<M[]>();
  return {
    add(message) {
      received.push(message);
      if (received.length === count) done.resolve(received);
    },
    all: done.promise,
  };
}
