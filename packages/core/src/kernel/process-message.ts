import type { Attributes, Context, Span, TextMapGetter } from '@opentelemetry/api';
import { context as contextApi, diag } from '@opentelemetry/api';
import { recordSpanError } from '../errors.js';
import { MeteredSpan } from '../metrics/metered-span.js';
import { ProcessMeasure } from '../metrics/messaging-metrics.js';
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

/** Decides per message whether it gets spans (backlog-aware sampling). */
export interface MessageSampling {
  decide(inbound: InboundContext): boolean;
  /** Attributes of a kept span: the rate, backlog and pressure it was kept under. */
  attributes(): Attributes;
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
  /** Backlog-aware sampling of this consumer (see BacklogSampling), when it is on. */
  readonly sampling?: MessageSampling;
  /**
   * The attributes of the message's `messaging.process.duration`,
   * `messaging.client.consumed.messages` and `tracehop.messaging.wait.duration`
   * (docs/semantics.md, "Metrics"). Called only when metrics are recorded, whether or not
   * spans are made; without it the message records no metrics (per-message work of a batch,
   * which the batch's own operation counts).
   */
  readonly metricAttributes?: () => Attributes;
  /**
   * When the message was published, in ms since the epoch, from the timestamp it carries
   * (for `tracehop.messaging.wait.duration`); undefined when it carries none. Called only
   * when metrics are recorded.
   */
  readonly publishedAt?: () => number | undefined;
}

interface Started {
  readonly span: Span | undefined;
  readonly context: Context;
  readonly settlement: Settlement | undefined;
  /** The process metrics, when they end with the handler (not through the settlement). */
  readonly measure: ProcessMeasure | undefined;
}

function startMeasure<C>(resolved: ResolvedOptions, init: ProcessInit<C>): ProcessMeasure | undefined {
  if (init.metricAttributes === undefined) return undefined;
  const measure = ProcessMeasure.start(resolved.metrics, { attributes: init.metricAttributes });
  if (measure !== undefined && init.publishedAt !== undefined) measure.waited(init.publishedAt());
  return measure;
}

function start<C>(resolved: ResolvedOptions, init: ProcessInit<C>): Started {
  const inbound = init.inbound ?? extractInbound(resolved, init.carrier, init.getter);
  const measure = startMeasure(resolved, init);
  // Backlog sampling (docs/sampling.md): a skipped message runs propagate-only — no span, its
  // inbound context still active in the handler and carried on to what the handler sends.
  const sampling = init.sampling;
  const keep = sampling === undefined || sampling.decide(inbound);
  // Built field by field: spreading `init` (a dozen properties) into a new object fell on a
  // slow path of V8 and was the largest cost of a delivery in propagate-only mode.
  const { span, context } = startConsumerSpan(resolved, {
    name: init.name,
    attributes: sampling === undefined ? init.attributes : () => ({ ...attributesOf(init), ...sampling.attributes() }),
    inbound,
    links: init.links,
    base: init.base,
    withoutSpan: init.withoutSpan === true || !keep,
  });
  init.onContext?.(context);
  if (span === undefined && measure === undefined) return { span, context, settlement: undefined, measure };
  const hook = resolved.consumeHook as ((span: Span, info: unknown) => void) | undefined;
  if (span !== undefined && hook !== undefined && span.isRecording()) runHookSafely('consumeHook', hook, span, init.hookInfo);
  const { settlement } = init;
  if (settlement === undefined) return { span, context, settlement, measure };
  // The metrics end where the span ends — at the settlement — through the same tracker.
  settlement.track(measure === undefined ? span! : new MeteredSpan(span, measure));
  return { span, context, settlement, measure: undefined };
}

function attributesOf(init: { readonly attributes: Attributes | (() => Attributes) }): Attributes {
  return typeof init.attributes === 'function' ? init.attributes() : init.attributes;
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
    return;
  }
  if (span !== undefined) {
    recordSpanError(span, error);
    span.end();
  }
  started.measure?.end(error);
}

function done(started: Started): void {
  if (started.settlement !== undefined) return started.settlement.done();
  started.span?.end();
  started.measure?.end();
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

/**
 * Runs `handler` in `context` and ends `span` — and `measure`, the operation's metrics — with
 * it (the core of `processMessage`).
 */
export function runInSpan<R>(span: Span | undefined, context: Context, handler: () => R, measure?: ProcessMeasure): R {
  return runStarted({ span, context, settlement: undefined, measure }, handler);
}

function runStarted<R>(started: Started, handler: () => R): R {
  let result: R;
  try {
    result = contextApi.with(started.context, handler);
  } catch (error) {
    safely(() => failed(started, error));
    throw error;
  }
  if (started.span === undefined && started.settlement === undefined && started.measure === undefined) return result;
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
