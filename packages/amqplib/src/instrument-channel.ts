import { diag } from '@opentelemetry/api';
import { errorMonitor } from 'node:events';
import { ChannelState, type AnyFunction, type ChannelTarget } from './channel-state.js';
import { tracedConsumeHandler } from './consume.js';
import { tracedGet } from './get.js';
import { tracedPublish, tracedSendToQueue } from './publish.js';
import { resolveInstrumentation, type Instrumentation } from './resolve-instrumentation.js';
import { settleMethods } from './settle.js';
import { text } from './span-attributes.js';
import type { AmqplibInstrumentationOptions } from './types.js';

/** The channel methods whose behaviour tracehop extends; everything else passes straight through. */
type Overrides = Readonly<Record<string, (...args: unknown[]) => unknown>>;

/** Wrapped channels, by the channel amqplib made: a channel is wrapped once. */
const wrapped = new WeakMap<object, object>();
/** The proxies tracehop made, so that wrapping one again returns it as is. */
const proxies = new WeakSet<object>();

function isChannel(value: unknown): value is ChannelTarget {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as ChannelTarget).publish === 'function' &&
    typeof (value as ChannelTarget).consume === 'function' &&
    typeof (value as ChannelTarget).once === 'function'
  );
}

function overridesFor(state: ChannelState): Overrides {
  return {
    publish: (...args) => tracedPublish(state, args),
    sendToQueue: (...args) => tracedSendToQueue(state, args),
    get: (...args) => tracedGet(state, args),
    consume(...args) {
      const next = args.slice();
      if (typeof args[1] === 'function') {
        const options = args[2] as { noAck?: unknown } | null | undefined;
        // amqplib reads the flag as `!!options.noAck` (lib/api_args.js).
        const noAck = options != null && typeof options === 'object' && Boolean(options.noAck);
        next[1] = tracedConsumeHandler(state, text(args[0]), args[1] as AnyFunction, noAck);
      }
      return state.result(state.method('consume').apply(state.target, next));
    },
    ...settleMethods(state),
  };
}

/**
 * Ends every pending consumer span when the channel closes, with the channel's error when it
 * closed because of one. The error is watched through `errorMonitor`, which, unlike an
 * 'error' listener, does not change what an unhandled channel error does.
 */
function watchClose(state: ChannelState): void {
  let failure: unknown;
  const onError = (error: unknown): void => {
    failure = error;
  };
  state.target.on(errorMonitor, onError);
  state.target.once('close', () => {
    state.target.off?.(errorMonitor, onError);
    try {
      state.tracker.close(failure);
    } catch (error) {
      diag.error('tracehop: could not end the spans of a closed channel', error);
    }
  });
}

/**
 * Wraps one channel with an already resolved configuration (shared by the channels of an
 * instrumented connection). Returns a Proxy of the very channel: same prototype, same
 * events, same methods, with publish / sendToQueue / consume / get and the settle methods
 * traced. Never throws: what cannot be wrapped is returned as it is.
 */
export function wrapChannel<T>(channel: T, instrumentation: Instrumentation): T {
  if (!isChannel(channel)) return channel;
  if (proxies.has(channel)) return channel;
  const existing = wrapped.get(channel);
  if (existing !== undefined) {
    // One channel, one set of pending spans: a second wrapper would not see the first's acks.
    diag.debug('tracehop: this amqplib channel is already instrumented; its first options stay in force');
    return existing as T;
  }
  try {
    const state = new ChannelState(channel, instrumentation);
    const overrides = overridesFor(state);
    const proxy = new Proxy(channel, {
      get(target, property, receiver) {
        if (typeof property === 'string' && Object.hasOwn(overrides, property) && typeof target[property] === 'function') {
          return overrides[property];
        }
        return Reflect.get(target, property, receiver);
      },
    });
    state.proxy = proxy;
    watchClose(state);
    wrapped.set(channel, proxy);
    proxies.add(proxy);
    return proxy;
  } catch (error) {
    diag.error('tracehop: could not instrument an amqplib channel; it is used untraced', error);
    return channel;
  }
}

/**
 * Instruments one amqplib channel or confirm channel, from the promise API (`amqplib`) or the
 * callback API (`amqplib/callback_api`), and returns it, traced. Use the returned object from
 * then on: settling a message through the original object is not seen, and its span then
 * ends only at channel close or after `settleTimeoutMs`. A channel is wrapped once: wrapping
 * it again (or the returned proxy) returns the same proxy, with its first options.
 *
 * Invalid options throw a TypeError here; nothing else ever throws from tracehop.
 */
export function instrumentChannel<T extends object>(channel: T, options?: AmqplibInstrumentationOptions): T {
  const instrumentation = resolveInstrumentation(options);
  if (!isChannel(channel)) {
    diag.warn('tracehop: instrumentChannel was given something that is not an amqplib channel; it is returned as is');
    return channel;
  }
  return wrapChannel(channel, instrumentation);
}
