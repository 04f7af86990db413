import { resolveOptions, resolveSampling, type ResolvedBacklogSampling, type ResolvedOptions } from '@tracehop/core';
import type { AmqplibInstrumentationOptions } from './types.js';
import { INSTRUMENTATION_SCOPE } from './version.js';

/** RabbitMQ's own default `consumer_timeout` (30 minutes), after which it closes the channel. */
export const DEFAULT_SETTLE_TIMEOUT_MS = 30 * 60 * 1000;

/** One wrapper's configuration, resolved once and shared by every channel it wraps. */
export interface Instrumentation {
  readonly resolved: ResolvedOptions;
  /** 0 when the safety timeout is off. */
  readonly settleTimeoutMs: number;
  /** Whether settlements are recorded as span events (`settlementEvents`). */
  readonly settlementEvents: boolean;
  /** `sampling.backlog`, validated; undefined when backlog sampling is off. */
  readonly sampling: ResolvedBacklogSampling | undefined;
}

function settleTimeout(value: unknown): number {
  if (value === undefined) return DEFAULT_SETTLE_TIMEOUT_MS;
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new TypeError('tracehop: `settleTimeoutMs` must be a number of milliseconds, 0 or more');
  }
  return value;
}

function settlementEvents(value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new TypeError('tracehop: `settlementEvents` must be a boolean');
  return value;
}

/**
 * Validates the options of `instrumentConnection` / `instrumentChannel`: core's (through
 * `resolveOptions`) and RabbitMQ's own. Invalid ones throw a TypeError here, at wrap time,
 * never on a message's path.
 */
export function resolveInstrumentation(options: AmqplibInstrumentationOptions | undefined): Instrumentation {
  return {
    resolved: resolveOptions(options, INSTRUMENTATION_SCOPE),
    settleTimeoutMs: settleTimeout(options?.settleTimeoutMs),
    settlementEvents: settlementEvents(options?.settlementEvents),
    sampling: resolveSampling(options?.sampling),
  };
}
