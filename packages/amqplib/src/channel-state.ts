import type { Attributes } from '@opentelemetry/api';
import { SettlementTracker } from '@tracehop/core';
import type { QueueBacklog } from './queue-backlog.js';
import type { Instrumentation } from './resolve-instrumentation.js';
import { serverAttributes } from './server-address.js';
import { CHANNEL_CLOSED, settleTimeout } from './unsettled-reasons.js';

/** Any function, as amqplib's methods are called through here (promise and callback API alike). */
export type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

/** An amqplib channel as tracehop sees it: an EventEmitter with the methods it wraps. */
export interface ChannelTarget {
  readonly [method: string]: unknown;
  once(event: string | symbol, listener: (...args: unknown[]) => void): unknown;
  on(event: string | symbol, listener: (...args: unknown[]) => void): unknown;
  off?(event: string | symbol, listener: (...args: unknown[]) => void): unknown;
}

/**
 * Everything tracehop keeps for one wrapped channel. It is referenced only by the channel's
 * proxy and the channel's own listeners, so it goes away with the channel.
 */
export class ChannelState {
  readonly target: ChannelTarget;
  readonly instrumentation: Instrumentation;
  /** A ConfirmChannel: publish spans end at the broker's confirm. */
  readonly confirm: boolean;
  /** Consumer spans waiting for their ack / nack / reject, by delivery tag (core's tracker). */
  readonly tracker: SettlementTracker<number>;
  /** The proxy handed to the user (set once it exists). */
  proxy: object | undefined;
  /** Opens a raw channel on the same connection, for backlog probes (known when the connection is wrapped). */
  readonly openProbe: (() => unknown) | undefined;
  /** The backlogs of the queues this channel consumes with backlog sampling on. */
  readonly backlogs: QueueBacklog[] = [];
  #server: Attributes | undefined;
  #synthetic = 0;

  constructor(target: ChannelTarget, instrumentation: Instrumentation, openProbe?: () => unknown) {
    this.target = target;
    this.openProbe = openProbe;
    this.instrumentation = instrumentation;
    this.confirm = typeof target.waitForConfirms === 'function';
    const timeoutMs = instrumentation.settleTimeoutMs;
    this.tracker = new SettlementTracker<number>({ timeout: () => settleTimeout(timeoutMs), closed: CHANNEL_CLOSED });
  }

  /** When a delivery tracked now times out (ms since the epoch; Infinity when the timeout is off). */
  deadline(): number {
    const timeoutMs = this.instrumentation.settleTimeoutMs;
    return timeoutMs > 0 ? Date.now() + timeoutMs : Infinity;
  }

  /** `server.*` attributes, read from the socket the first time a span needs them. */
  server(): Attributes {
    return (this.#server ??= serverAttributes(this.target));
  }

  /** A tracker key for a delivery without a delivery tag: negative, so never a real tag. */
  syntheticTag(): number {
    return --this.#synthetic;
  }

  /** The target's method `name`, looked up at call time so later patches are honoured. */
  method(name: string): AnyFunction {
    return this.target[name] as AnyFunction;
  }

  /** amqplib's callback API returns the channel itself: hand back the proxy instead. */
  result(value: unknown): unknown {
    return value === this.target && this.proxy !== undefined ? this.proxy : value;
  }
}
