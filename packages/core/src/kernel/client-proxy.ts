import { diag } from '@opentelemetry/api';
import { existingWrapper, isInstrumented, registerWrapper } from './client-registry.js';

/** Methods that replace the client's own, by name. */
export type MethodOverrides = Readonly<Record<string, (...args: never[]) => unknown>>;

export interface ProxyClientOptions {
  /** What the client is, for messages: `'kafkajs producer'`, `'amqplib channel'`, … */
  readonly kind: string;
  /**
   * Register the proxy as the client's one wrapper (default true). Objects that are not
   * clients in their own right (a kafkajs transaction) can opt out.
   */
  readonly register?: boolean;
}

/**
 * The proxy's `get` trap. It runs on every property read of the wrapped client — the client
 * library's own reads of `this` included (nsqjs calls `this.emit` for every event) — so the
 * names it replaces are matched by comparing property keys (a pointer comparison for the
 * interned names of a client's methods) rather than by a lookup in a table, for up to three
 * names, the usual case; a Map holds the rest. A replaced name still reads the client's own
 * value once, to use the override only while that is a function.
 */
function overrideGetter<T extends object>(names: readonly string[], methods: ReadonlyArray<(...args: never[]) => unknown>): ProxyHandler<T>['get'] {
  const [n0, n1, n2] = names;
  const [m0, m1, m2] = methods;
  const more = names.length > 3 ? new Map(names.slice(3).map((name, i) => [name, methods[i + 3]!] as const)) : undefined;
  return function get(target, property, receiver) {
    let method: unknown;
    if (property === n0) method = m0;
    else if (property === n1) method = m1;
    else if (property === n2) method = m2;
    else if (more !== undefined && typeof property === 'string') method = more.get(property);
    const own = Reflect.get(target, property, receiver) as unknown;
    return method !== undefined && typeof own === 'function' ? method : own;
  };
}

/** Thrown at wrap time when the object to wrap is not a client at all: a programming error. */
export function notAClient(kind: string): TypeError {
  return new TypeError(`tracehop: expected ${/^[aeiou]/i.test(kind) ? 'an' : 'a'} ${kind} to instrument`);
}

/**
 * Returns a Proxy of `client` on which the named methods are replaced, and records it in the
 * process-wide registry. Everything else (events, properties added later, other methods) is
 * read live from the client, so methods the proxy does not replace run unchanged on it.
 *
 * Why a Proxy rather than patching the object: the caller's client is never written to, so
 * the raw client stays usable beside the traced one, wrapping twice cannot stack patches, and
 * nothing else holding the raw object sees a change. An override is used only while the
 * client really has a function under that name (an older client version without the method
 * keeps its own `undefined`), and never for a frozen property, which a Proxy must report as
 * it is (Proxy invariants).
 *
 * A client that is already wrapped gets its existing wrapper back (its first options stay in
 * force), with one warning: one client, one set of spans.
 */
export function proxyClient<T extends object>(client: T, overrides: MethodOverrides, options: ProxyClientOptions): T {
  if ((typeof client !== 'object' && typeof client !== 'function') || client === null) throw notAClient(options.kind);
  if (isInstrumented(client)) return client;
  const existing = existingWrapper(client);
  if (existing !== undefined) {
    diag.warn(`tracehop: this ${options.kind} is already instrumented; returning its wrapper (its first options stay in force)`);
    return existing;
  }
  const names: string[] = [];
  const methods: Array<(...args: never[]) => unknown> = [];
  for (const name of Object.keys(overrides)) {
    const descriptor = Object.getOwnPropertyDescriptor(client, name);
    if (descriptor !== undefined && !descriptor.configurable && descriptor.writable === false) {
      diag.warn(`tracehop: \`${name}\` is frozen on this ${options.kind} and cannot be traced`);
      continue;
    }
    names.push(name);
    methods.push(overrides[name]!);
  }
  const proxy = new Proxy(client, { get: overrideGetter<T>(names, methods) });
  if (options.register !== false) registerWrapper(client, proxy);
  else registerWrapper(proxy, proxy);
  return proxy;
}
