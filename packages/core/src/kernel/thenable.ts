/**
 * Whether `value` is a promise or any other thenable (what `await` would wait for). Never
 * throws: a `then` getter that throws makes the value a plain one.
 */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  try {
    return typeof (value as PromiseLike<unknown>).then === 'function';
  } catch {
    return false;
  }
}
