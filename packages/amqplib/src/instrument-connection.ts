import { isThenable, notAClient, proxyClient } from '@tracehop/core';
import type { AnyFunction } from './channel-state.js';
import { wrapChannel } from './instrument-channel.js';
import { resolveInstrumentation, type Instrumentation } from './resolve-instrumentation.js';
import type { AmqplibInstrumentationOptions } from './types.js';

/** The connection methods that create channels. */
const CREATE_METHODS = ['createChannel', 'createConfirmChannel'] as const;

interface ConnectionTarget {
  readonly [method: string]: unknown;
}

function isConnection(value: unknown): value is ConnectionTarget {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as ConnectionTarget).createChannel === 'function' &&
    typeof (value as ConnectionTarget).createConfirmChannel === 'function'
  );
}

/**
 * A channel-creating method that hands out wrapped channels, in every shape amqplib has:
 * - promise API (`ChannelModel`, and the recovering model of `connect(url, { recovery })`):
 *   `createChannel(options?)` resolves to the channel;
 * - callback API (`CallbackModel`, `RecoveringCallbackModel`): the channel arrives in the
 *   callback (its last function argument); `CallbackModel` also returns it at once.
 * The recovering models create each channel on whichever connection is current, so channels
 * created after a reconnect are wrapped like the first ones.
 */
function creator(target: ConnectionTarget, name: string, instrumentation: Instrumentation, self: () => object): AnyFunction {
  // Backlog probes get raw channels of their own, on whichever connection is current.
  const openProbe = instrumentation.sampling === undefined ? undefined : () => (target.createChannel as AnyFunction).call(target);
  return function createTracedChannel(this: unknown, ...args: unknown[]): unknown {
    const next = args.slice();
    for (let index = next.length - 1; index >= 0; index--) {
      const callback = next[index];
      if (typeof callback !== 'function') continue;
      next[index] = function onChannel(this: unknown, ...reply: unknown[]): unknown {
        if (reply[1] != null) reply[1] = wrapChannel(reply[1], instrumentation, openProbe);
        return (callback as AnyFunction).apply(this, reply);
      };
      break;
    }
    const result = (target[name] as AnyFunction).apply(target, next);
    if (isThenable(result)) return result.then((channel) => wrapChannel(channel, instrumentation, openProbe));
    if (result === target) return self();
    return wrapChannel(result, instrumentation, openProbe);
  };
}

/**
 * Instruments an amqplib connection so that every channel and confirm channel it creates is
 * traced (see `instrumentChannel`). Works with both the promise API (`amqplib.connect`) and
 * the callback API (`amqplib/callback_api`), with or without amqplib's `recovery` option
 * (>= 1.1): a recovering connection creates channels on the current underlying connection,
 * so those created after a reconnect are traced too. Channels created inside the recovery
 * `setup(model)` function get amqplib's raw `model`: wrap them with `instrumentChannel`.
 *
 * Returns a Proxy of the connection (core's `proxyClient`), with everything but the two
 * channel factories passing straight through. A connection is wrapped once: wrapping it again
 * returns the first wrapper. Invalid options, or something that is not an amqplib connection,
 * throw a TypeError here; nothing else ever throws from tracehop.
 */
export function instrumentConnection<T extends object>(connection: T, options?: AmqplibInstrumentationOptions): T {
  const instrumentation = resolveInstrumentation(options);
  if (!isConnection(connection)) throw notAClient('amqplib connection');
  // Called only once a channel is created, by then `proxy` is set.
  const self = (): object => proxy;
  const overrides = Object.fromEntries(CREATE_METHODS.map((name) => [name, creator(connection, name, instrumentation, self)]));
  const proxy: T = proxyClient(connection, overrides, { kind: 'amqplib connection' });
  return proxy;
}
