import type { Context, Span, TextMapGetter } from '@opentelemetry/api';
import { context as contextApi, diag } from '@opentelemetry/api';
import { recordSpanError } from '../errors.js';
import type { ResolvedOptions } from '../resolve-options.js';
import { runHookSafely } from '../safe-hook.js';
import { startConsumerSpan, type ConsumerSpanInit } from './consumer-spans.js';
import { extractInbound, type InboundContext } from './inbound-policy.js';
import { isThenable } from './thenable.js';

/**
 * How a message's span ends when it does not simply end with its handler (Kafka): it is
 * handed to a settlement tracker, which ends it at the ack / finish, at close or at its
 * deadline. `failed` and `done` tell it how the handler went.
 */
export interface Settlement {
  /** The span waits for the message to be settled. */
  track(span: Span): void;
  /** The handler threw or rejected (the span still waits for settlement). */
  failed(error: unknown): void;
  /** The handler returned, or its promise settled. */
  done(): void;
}

export interface ProcessInit<C> extends Omit<ConsumerSpanInit, 'inbound'> {
  /** The message's headers (or any carrier `getter` reads). */
  readonly carrier: C | null | undefined;
  readonly getter?: TextMapGetter<C>;
  /** Already extracted (a batch extracts each message once): skips `carrier`. */
  readonly inbound?: InboundContext;
  /** What `consumeHook` is told. */
  readonly hookInfo?: unknown;
  /** Told the context the handler runs in, before it runs (message stamps). */
  readonly onContext?: (context: Context) => void;
  /** Where the span ends; default: when the handler has finished. */
  readonly settlement?: Settlement;
}

interface Started {
  readonly span: Span | undefined;
  readonly context: Context;
  readonly settlement: Settlement | undefined;
}

function start<C>(resolved: ResolvedOptions, init: ProcessInit<C>): Started {
  const inbound = init.inbound ?? extractInbound(resolved, init.carrier, init.getter);
  const { span, context } = startConsumerSpan(resolved, { ...init, inbound });
  init.onContext?.(context);
  if (span === undefined) return { span, context, settlement: undefined };
  const hook = resolved.consumeHook as ((span: Span, info: unknown) => void) | undefined;
  if (hook !== undefined && span.isRecording()) runHookSafely('consumeHook', hook, span, init.hookInfo);
  init.settlement?.track(span);
  return { span, context, settlement: init.settlement };
}

/** Never lets tracehop's bookkeeping turn into an error in the delivery path. */
function safely(work: () => void): void {
  try {
    work();
  } catch (error) {
    diag.error('tracehop: consumer span bookkeeping failed', error);
  }
}

function failed(started: Started, error: unknown): void {
  const { span, settlement } = started;
  if (settlement !== undefined) {
    settlement.failed(error);
    settlement.done();
  } else if (span !== undefined) {
    recordSpanError(span, error);
    span.end();
  }
}

function done(started: Started): void {
  if (started.settlement !== undefined) started.settlement.done();
  else started.span?.end();
}

/**
 * Runs a message's handler the one way every adapter does: the message's context restored
 * (per the trust policies, never the ambient one), a CONSUMER span around it, active for
 * everything the handler awaits, ending when the work really ends — when the handler's
 * promise settles, not when it returns one, or at settlement (see `Settlement`). A throw or
 * rejection is recorded and passed on unchanged, so the client library retries, redelivers
 * and crashes exactly as it would without tracehop; a returned promise settles with the same
 * value or reason. If tracehop itself fails, the handler runs untraced.
 */
export function processMessage<C, R>(resolved: ResolvedOptions, init: ProcessInit<C>, handler: () => R): R {
  let started: Started;
  try {
    started = start(resolved, init);
  } catch (error) {
    diag.error('tracehop: could not trace a message; it is processed without trace context', error);
    return handler();
  }
  return runStarted(started, handler);
}

/** Runs `handler` in `context` and ends `span` with it (the core of `processMessage`). */
export function runInSpan<R>(span: Span | undefined, context: Context, handler: () => R): R {
  return runStarted({ span, context, settlement: undefined }, handler);
}

function runStarted<R>(started: Started, handler: () => R): R {
  let result: R;
  try {
    result = contextApi.with(started.context, handler);
  } catch (error) {
    safely(() => failed(started, error));
    throw error;
  }
  if (started.span === undefined) return result;
  if (!isThenable(result)) {
    safely(() => done(started));
    return result;
  }
  const observed = result.then(
    (value) => {
      safely(() => done(started));
      return value;
    },
    (error: unknown) => {
      safely(() => failed(started, error));
      throw error;
    },
  );
  // A client that settles messages itself (amqplib, nsqjs) ignores what the handler returns:
  // the handler's own promise is handed back, and the derived one rethrows, so an unhandled
  // rejection is still reported once, with the same reason, as without tracehop. A client
  // that awaits the handler (kafkajs) gets the derived promise, which settles after the span.
  return (started.settlement !== undefined ? result : observed) as R;
}
