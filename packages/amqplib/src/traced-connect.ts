import { diag } from '@opentelemetry/api';
import { isThenable } from '@tracehop/core';
import type { AnyFunction } from './channel-state.js';
import { instrumentConnection } from './instrument-connection.js';
import type { AmqplibInstrumentationOptions } from './types.js';

function traced(connection: unknown, options: AmqplibInstrumentationOptions): unknown {
  // Not a connection (the callback API returns nothing): nothing to trace.
  if (typeof connection !== 'object' || connection === null || typeof (connection as { createChannel?: unknown }).createChannel !== 'function') {
    return connection;
  }
  try {
    return instrumentConnection(connection, options);
  } catch (error) {
    diag.error('tracehop: could not trace this amqplib connection; it works without trace context', error);
    return connection;
  }
}

/**
 * A stand-in for amqplib's `connect`, of the promise API (`amqplib`) or the callback API
 * (`amqplib/callback_api`): the connection it yields — resolved, given to the callback, or
 * (a recovering callback model) returned at once — is `instrumentConnection(connection,
 * options)`, the wrappers' own door, so every channel it creates is the Proxy
 * `instrumentChannel` returns. A connection reached twice (callback and return value) is
 * wrapped once (the registry hands back its first wrapper).
 *
 * Why `connect` and not `Channel.prototype`: the official instrumentation patches the channel
 * prototypes; wrapping each connection from outside keeps tracehop's proxies outermost
 * whatever order the two were registered in. amqplib's errors (refused, bad URL) reach the
 * caller exactly as they are. `options()` answers undefined while the instrumentation is
 * disabled: connections are then amqplib's own.
 */
export function tracedConnect(connect: AnyFunction, options: () => AmqplibInstrumentationOptions | undefined): AnyFunction {
  return function connectTraced(this: unknown, ...args: unknown[]): unknown {
    const current = options();
    if (current === undefined) return connect.apply(this, args);
    const next = args.slice();
    for (let index = next.length - 1; index >= 0; index--) {
      const callback = next[index];
      if (typeof callback !== 'function') continue;
      next[index] = function onConnection(this: unknown, ...reply: unknown[]): unknown {
        if (reply[1] != null) reply[1] = traced(reply[1], current);
        return (callback as AnyFunction).apply(this, reply);
      };
      break;
    }
    const result = connect.apply(this, next);
    if (isThenable(result)) return result.then((connection) => traced(connection, current));
    return traced(result, current);
  };
}
