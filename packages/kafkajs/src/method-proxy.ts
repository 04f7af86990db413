import { diag } from '@opentelemetry/api';

const wrappers = new WeakSet<object>();

/** Whether `value` is a producer, consumer, transaction or Kafka wrapper made by tracehop. */
export function isInstrumented(value: unknown): boolean {
  return typeof value === 'object' && value !== null && wrappers.has(value);
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Returns a Proxy of `target` on which the named methods are replaced; everything else
 * (`on`, `events`, `connect`, `logger`, properties added later…) is read live from the target.
 *
 * Why a Proxy rather than patching methods on the object itself: the caller's kafkajs object is
 * never written to, so the raw client stays available next to the traced one, wrapping twice
 * cannot stack patches, and nothing else that holds the raw object sees a change. kafkajs
 * builds its clients from closures (and `Kafka` keeps its state under symbol keys read through
 * `this`), so methods work unchanged when called on the proxy.
 */
export function overrideMethods<T extends object>(target: T, overrides: Partial<Record<keyof T & string, unknown>>): T {
  // Like invalid options, a missing client is a programming error reported at wrap time.
  if ((typeof target !== 'object' && typeof target !== 'function') || target === null) {
    throw new TypeError('tracehop: expected a kafkajs client object to instrument');
  }
  const active: Record<string, unknown> = {};
  for (const name of Object.keys(overrides)) {
    const descriptor = Object.getOwnPropertyDescriptor(target, name);
    // A Proxy must report a frozen property as it is (Proxy invariants): leave it alone.
    if (descriptor !== undefined && !descriptor.configurable && descriptor.writable === false) {
      diag.warn(`tracehop: \`${name}\` is frozen on this kafkajs object and cannot be traced`);
      continue;
    }
    active[name] = overrides[name as keyof T & string];
  }
  const proxy = new Proxy(target, {
    get(object, property, receiver) {
      if (typeof property === 'string' && hasOwn.call(active, property)) return active[property];
      return Reflect.get(object, property, receiver);
    },
  });
  wrappers.add(proxy);
  return proxy;
}
