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

const hasOwn = Object.prototype.hasOwnProperty;

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
  const active: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const name of Object.keys(overrides)) {
    const descriptor = Object.getOwnPropertyDescriptor(client, name);
    if (descriptor !== undefined && !descriptor.configurable && descriptor.writable === false) {
      diag.warn(`tracehop: \`${name}\` is frozen on this ${options.kind} and cannot be traced`);
      continue;
    }
    active[name] = overrides[name];
  }
  const proxy = new Proxy(client, {
    get(target, property, receiver) {
      if (typeof property === 'string' && hasOwn.call(active, property)) {
        const own = Reflect.get(target, property, receiver) as unknown;
        return typeof own === 'function' ? active[property] : own;
      }
      return Reflect.get(target, property, receiver);
    },
  });
  if (options.register !== false) registerWrapper(client, proxy);
  else registerWrapper(proxy, proxy);
  return proxy;
}
