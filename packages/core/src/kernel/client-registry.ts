import { shared } from './process-state.js';

/**
 * Which client objects tracehop has wrapped, and the wrapper of each, once per process
 * (process-state.ts): a client wrapped by the ESM build is recognised by the CJS build, and
 * a client wrapped by hand in an app that also runs the drop-in instrumentation is wrapped
 * once, not twice.
 */
interface ClientRegistry {
  /** The client tracehop was given → the proxy it handed out. */
  readonly wrapperOf: WeakMap<object, object>;
  /** Every proxy tracehop handed out. */
  readonly wrappers: WeakSet<object>;
}

const registry = shared<ClientRegistry>('client-registry', () => ({ wrapperOf: new WeakMap(), wrappers: new WeakSet() }));

/** Whether `value` is a wrapper made by tracehop (any adapter, any build). */
export function isInstrumented(value: unknown): boolean {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && registry.wrappers.has(value);
}

/** The wrapper already made for `client`, if any. */
export function existingWrapper<T extends object>(client: T): T | undefined {
  return registry.wrapperOf.get(client) as T | undefined;
}

/** Records that `wrapper` stands for `client`. */
export function registerWrapper(client: object, wrapper: object): void {
  registry.wrapperOf.set(client, wrapper);
  registry.wrappers.add(wrapper);
}
