import { diag } from '@opentelemetry/api';
import { existingWrapper, isInstrumented, notAClient, proxyClient } from '@tracehop/core';
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
      for (const backlog of state.backlogs.splice(0)) backlog.close();
      state.tracker.close(failure);
    } catch (error) {
      diag.error('tracehop: could not end the spans of a closed channel', error);
    }
  });
}

/**
 * Wraps one channel with an already resolved configuration (shared by the channels of an
 * instrumented connection): a Proxy of the very channel (core's `proxyClient`: same
 * prototype, same events, same methods), with publish / sendToQueue / consume / get and the
 * settle methods traced. A channel is wrapped once: one channel, one set of pending spans (a
 * second wrapper would not see the first's acks). Never throws: what cannot be wrapped is
 * returned as it is.
 */
export function wrapChannel<T>(channel: T, instrumentation: Instrumentation, openProbe?: () => unknown): T {
  if (!isChannel(channel)) return channel;
  if (isInstrumented(channel)) return channel;
  const existing = existingWrapper(channel);
  if (existing !== undefined) return existing as T;
  try {
    const state = new ChannelState(channel, instrumentation, openProbe);
    const proxy = proxyClient(channel, overridesFor(state), { kind: 'amqplib channel' });
    state.proxy = proxy;
    watchClose(state);
    return proxy as T;
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
 * Invalid options, or something that is not an amqplib channel, throw a TypeError here;
 * nothing else ever throws from tracehop.
 */
export function instrumentChannel<T extends object>(channel: T, options?: AmqplibInstrumentationOptions): T {
  const instrumentation = resolveInstrumentation(options);
  if (!isChannel(channel)) throw notAClient('amqplib channel');
  if (!isInstrumented(channel) && existingWrapper(channel) !== undefined) {
    diag.warn('tracehop: this amqplib channel is already instrumented; returning its wrapper (its first options stay in force)');
  }
  return wrapChannel(channel, instrumentation);
}
