import { resolveOptions, type ResolvedOptions } from '@tracehop/core';
import type { AmqplibInstrumentationOptions, ConsumeHook, PublishHook } from './types.js';
import { INSTRUMENTATION_SCOPE } from './version.js';

/** RabbitMQ's own default `consumer_timeout` (30 minutes), after which it closes the channel. */
export const DEFAULT_SETTLE_TIMEOUT_MS = 30 * 60 * 1000;

/** Node's timers take at most a signed 32-bit delay; longer ones fire at once. */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/** One wrapper's configuration, resolved once and shared by every channel it wraps. */
export interface Instrumentation {
  readonly resolved: ResolvedOptions;
  readonly publishHook: PublishHook | undefined;
  readonly consumeHook: ConsumeHook | undefined;
  /** 0 when the safety timeout is off. */
  readonly settleTimeoutMs: number;
}

function hook<H>(value: unknown, name: string): H | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw new TypeError(`tracehop: \`${name}\` must be a function`);
  return value as H;
}

function settleTimeout(value: unknown): number {
  if (value === undefined) return DEFAULT_SETTLE_TIMEOUT_MS;
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new TypeError('tracehop: `settleTimeoutMs` must be a number of milliseconds, 0 or more');
  }
  return Math.min(value, MAX_TIMER_DELAY_MS);
}

/**
 * Validates the options of `instrumentConnection` / `instrumentChannel` (invalid ones throw a
 * TypeError here, at wrap time, never on a message's path) and resolves the propagation
 * settings once, through core's `resolveOptions`.
 */
export function resolveInstrumentation(options: AmqplibInstrumentationOptions | undefined): Instrumentation {
  const resolved = resolveOptions(options, INSTRUMENTATION_SCOPE);
  return {
    resolved,
    publishHook: hook<PublishHook>(options?.publishHook, 'publishHook'),
    consumeHook: hook<ConsumeHook>(options?.consumeHook, 'consumeHook'),
    settleTimeoutMs: settleTimeout(options?.settleTimeoutMs),
  };
}
