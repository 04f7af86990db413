import { diag } from '@opentelemetry/api';

/**
 * Runs a user hook so that it can never break the message path: a throw, or a rejected
 * promise, is reported through `diag` and otherwise ignored.
 */
export function runHookSafely<A extends unknown[]>(
  name: string,
  hook: ((...args: A) => unknown) | undefined,
  ...args: A
): void {
  if (hook === undefined) return;
  try {
    const result = hook(...args);
    if (result !== null && typeof result === 'object' && typeof (result as Promise<unknown>).then === 'function') {
      (result as Promise<unknown>).then(undefined, (error: unknown) => diag.error(`tracehop: ${name} rejected`, error));
    }
  } catch (error) {
    diag.error(`tracehop: ${name} threw`, error);
  }
}
