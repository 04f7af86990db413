import type { Attributes, Context, Link, Span } from '@opentelemetry/api';
import { SpanKind, context as contextApi, diag } from '@opentelemetry/api';
import { recordSpanError } from '../errors.js';
import { OperationMeasure, type PublishMetricsInit } from '../metrics/messaging-metrics.js';
import { withSpan } from '../propagation/overlay-context.js';
import type { ResolvedOptions } from '../resolve-options.js';
import { runHookSafely } from '../safe-hook.js';

/** Describes one publish call (one `send`, one MPUB, one AMQP `publish`). */
export interface PublicationInit {
  /** The `send` span's name, `send {destination}` (semconv "Span name"). */
  readonly name: string;
  /** The `send` span's attributes; built only when spans are made. */
  readonly attributes: () => Attributes;
  /** How many messages the call carries. */
  readonly count: number;
  /** The context the call was made in. Default: the active one. */
  readonly parent?: Context;
  /**
   * The call's metric attributes (docs/semantics.md, "Metrics"), asked for once, when it ends,
   * and only when metrics are recorded. Without it the call records no metrics.
   */
  readonly metrics?: () => PublishMetricsInit;
}

/** Describes one message of a batch, for its `create` span. */
export interface CreateSpanInit {
  readonly name: string;
  readonly attributes: Attributes;
  /** Per-message attributes that vary within the call go on the send span's link to it. */
  readonly linkAttributes?: Attributes;
}

const enum Mode {
  /** Propagate-only: no spans; every message carries the caller's context. */
  None,
  /** One PRODUCER `send` span, whose context every message carries. */
  PerCall,
  /** A PRODUCER `create` span per message, then a CLIENT `send` span linking to them. */
  PerMessage,
}

/**
 * The spans of one publish call, following the messaging conventions (semconv
 * messaging-spans, "Producer spans"): a call of one message, or any call with
 * `batchSpans: 'per-call'`, gets one PRODUCER `send` span that is every message's creation
 * context; a batch with `'per-message'` gets a PRODUCER `create` span per message — its own
 * creation context, so a consumer hangs under the exact message it processes — and a CLIENT
 * `send` span (not itself a creation context) for the call, linking to each.
 *
 * Use: `contextFor` per message, in order, while preparing what the client library gets;
 * `hook` for each message; `handOff` once everything is prepared, just before the client is
 * called; `end` when the client settles. If preparing fails, `abort` ends whatever was started,
 * so that no span is ever left open.
 */
export class Publication {
  readonly #resolved: ResolvedOptions;
  readonly #init: PublicationInit;
  readonly #parent: Context;
  readonly #mode: Mode;
  #send: Span | undefined;
  #sendContext: Context;
  #creates: Span[] | undefined;
  #links: Link[] | undefined;
  #current: Span | undefined;
  #measure: OperationMeasure | undefined;
  #ended = false;

  constructor(resolved: ResolvedOptions, init: PublicationInit) {
    this.#resolved = resolved;
    this.#init = init;
    const parent = (this.#parent = init.parent ?? contextApi.active());
    const tracer = resolved.tracer;
    if (tracer === undefined) {
      this.#mode = Mode.None;
      this.#sendContext = parent;
    } else if (init.count === 1 || resolved.batchSpans === 'per-call') {
      this.#mode = Mode.PerCall;
      const send = tracer.startSpan(init.name, { kind: SpanKind.PRODUCER, attributes: init.attributes() }, parent);
      this.#send = this.#current = send;
      this.#sendContext = withSpan(parent, send);
    } else {
      this.#mode = Mode.PerMessage;
      this.#sendContext = parent;
      this.#creates = [];
      this.#links = [];
    }
    // Timed like the span that stands for the call: from now, or (per-message) from handOff.
    if (this.#mode !== Mode.PerMessage && init.metrics !== undefined) this.#measure = OperationMeasure.start(resolved.metrics);
  }

  /**
   * Once `handOff` has run: whether the call must be ended (`end`, `fail`) — it has a span, or
   * its metrics are being recorded. When false, the adapter need not watch the client's answer.
   */
  get observed(): boolean {
    return this.#send !== undefined || this.#measure !== undefined;
  }

  /** Whether each message gets its own `create` span (so `contextFor` wants a description). */
  get perMessage(): boolean {
    return this.#mode === Mode.PerMessage;
  }

  /** The span that ends with the call, once `handOff` has run (undefined in propagate-only mode). */
  get span(): Span | undefined {
    return this.#send;
  }

  /**
   * The context the next message carries: the `send` span's (or, propagate-only, the
   * caller's), or a new `create` span's, described by `describe` (called only then).
   */
  contextFor(describe?: () => CreateSpanInit): Context {
    if (this.#mode !== Mode.PerMessage) return this.#sendContext;
    if (describe === undefined) throw new TypeError('tracehop: a message of a batch needs a description of its create span');
    const init = describe();
    const span = this.#resolved.tracer!.startSpan(init.name, { kind: SpanKind.PRODUCER, attributes: init.attributes }, this.#parent);
    this.#creates!.push(span);
    this.#links!.push(init.linkAttributes === undefined ? { context: span.spanContext() } : { context: span.spanContext(), attributes: init.linkAttributes });
    this.#current = span;
    return withSpan(this.#parent, span);
  }

  /** Runs the `publishHook` for the message whose context was handed out last. */
  hook(info: unknown): void {
    const span = this.#current;
    const hook = this.#resolved.publishHook as ((span: Span, info: unknown) => void) | undefined;
    if (span !== undefined && hook !== undefined && span.isRecording()) runHookSafely('publishHook', hook, span, info);
  }

  /** Everything is prepared: `create` spans end, the batch's CLIENT `send` span starts. */
  handOff(): void {
    if (this.#mode !== Mode.PerMessage || this.#send !== undefined) return;
    for (const span of this.#creates!) span.end();
    if (this.#init.metrics !== undefined) this.#measure = OperationMeasure.start(this.#resolved.metrics);
    this.#send = this.#resolved.tracer!.startSpan(
      this.#init.name,
      { kind: SpanKind.CLIENT, attributes: this.#init.attributes(), links: this.#links },
      this.#parent,
    );
  }

  /** The client settled the call: the `send` span ends, with `error` recorded if it failed. */
  end(error?: unknown): void {
    this.#finish(error, true);
  }

  #finish(error: unknown, attempted: boolean): void {
    if (this.#ended) return;
    this.#ended = true;
    const { metrics } = this.#init;
    if (this.#measure !== undefined && metrics !== undefined) {
      try {
        this.#measure.published(metrics(), this.#init.count, error, attempted);
      } catch (failure) {
        diag.error('tracehop: could not record the metrics of a publish', failure);
      }
    }
    const send = this.#send;
    if (send === undefined) return;
    if (error !== undefined && error !== null) recordSpanError(send, error);
    send.end();
  }

  /**
   * The call failed before the client was called (nothing was sent): `error` is recorded on
   * every span of the call, which all end.
   */
  fail(error: unknown): void {
    if (this.#send === undefined) for (const span of this.#creates ?? []) recordSpanError(span, error);
    this.handOff();
    // Nothing reached the client: the operation failed, but no message was sent.
    this.#finish(error, false);
  }

  /** Preparing failed: ends every span started so far; the call goes out untraced. */
  abort(): void {
    if (this.#send === undefined) for (const span of this.#creates ?? []) span.end();
    // The call goes out untraced: its outcome is not observed, so it records no metrics.
    this.#measure = undefined;
    this.end();
  }
}

/**
 * The PRODUCER span of a single message (a Publication of one): its span, and the context to
 * inject. For code that publishes one message at a time outside the adapters.
 */
export function startProducerSpan(
  resolved: ResolvedOptions,
  init: { readonly name: string; readonly attributes: Attributes; readonly parent?: Context },
): { readonly span: Span | undefined; readonly context: Context } {
  const publication = new Publication(resolved, { name: init.name, attributes: () => init.attributes, count: 1, parent: init.parent });
  return { span: publication.span, context: publication.contextFor() };
}
