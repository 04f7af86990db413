import type { Span } from '@opentelemetry/api';
import type { TracehopOptions } from '@tracehop/core';

/** What `decodeEnvelope` finds in a valid envelope. */
export interface DecodedEnvelope {
  /** The envelope's version byte: 1 for this package's format, 2–255 for a future one. */
  readonly version: number;
  /** The headers it carries (none for a future version, whose headers block is opaque). */
  readonly headers: Record<string, string>;
  /** The original payload, byte for byte: a view on the decoded data, not a copy. */
  readonly body: Buffer;
}

/** One message as nsqjs would send it: a string (sent as UTF-8) or bytes. */
export type NsqPayload = string | Buffer;

/**
 * The parts of an nsqjs `Writer` that tracehop uses. Any nsqjs ≥ 0.13 Writer fits; the
 * structural type keeps nsqjs (and its typings) a peer that users bring.
 */
export interface NsqWriterLike {
  publish(topic: string, msgs: unknown, callback?: (err?: Error | null) => void): unknown;
  deferPublish(topic: string, msg: unknown, timeMs: number, callback?: (err?: Error | null) => void): unknown;
  readonly nsqdHost?: string;
  readonly nsqdPort?: number | string;
}

/** The parts of an nsqjs `Message` that tracehop uses. */
export interface NsqMessageLike {
  readonly id: string;
  readonly attempts: number;
  body: Buffer;
  readonly hasResponded: boolean;
  timeUntilTimeout(hard?: boolean): number | null;
  on(event: 'respond', listener: (responseType: number, wireData: Buffer) => void): unknown;
  removeListener(event: 'respond', listener: (responseType: number, wireData: Buffer) => void): unknown;
}

/**
 * The parts of an nsqjs `Reader` that tracehop uses: its events (and, checked when wrapping,
 * its `topic` and `channel`, which nsqjs's typings do not declare).
 */
export interface NsqReaderLike {
  emit(event: string | symbol, ...args: unknown[]): boolean;
}

/** How a multi-publish (an array of two or more messages, sent as MPUB) is traced. */
export type NsqBatchSpans = 'per-message' | 'per-call';

/** Given to `publishHook` for every producer span tracehop starts. */
export interface NsqPublishInfo {
  readonly topic: string;
  /** `'send'` for the span of the publish call, `'create'` for a per-message span of a batch. */
  readonly operation: 'send' | 'create';
  /** The messages this span accounts for, as nsqjs serialises them (objects as JSON text). */
  readonly payloads: readonly NsqPayload[];
  /** The delay of a `deferPublish`, in milliseconds; undefined for `publish`. */
  readonly deferMs: number | undefined;
}

/** Given to `consumeHook` once per delivered message, before the listeners run. */
export interface NsqConsumeInfo {
  readonly topic: string;
  readonly channel: string;
  /** The nsqjs message; its `body` is already the original payload. */
  readonly message: NsqMessageLike;
  /** The headers the envelope carried, or undefined for a raw (non-enveloped) message. */
  readonly headers: Readonly<Record<string, string>> | undefined;
}

/** Options of `instrumentWriter`: core's options plus NSQ publishing options. */
export interface NsqWriterOptions extends TracehopOptions {
  /**
   * Which topics get the envelope. `true` (every topic), `false` (none: spans are still made
   * but no context travels), or a function of the topic name, called on each publish — the
   * switch for a migration in which some topics still have consumers that are not wrapped
   * (they would see envelope bytes). A function that throws counts as `false`.
   * Default: `true`.
   */
  envelope?: boolean | ((topic: string) => boolean);
  /**
   * nsqd's `--max-msg-size`, in bytes. An enveloped message larger than this fails before it
   * is sent, with a `MessageTooLargeError` given to the callback (or thrown when there is
   * none, as nsqjs does for its own checks), rather than nsqd closing the connection with
   * `E_BAD_MESSAGE`. Set it when nsqd runs with a non-default limit. Messages of topics
   * published without the envelope are not checked (nsqjs behaves as it always does).
   * Default: 1048576 (nsqd's default, 1 MiB).
   */
  maxMessageSize?: number;
  /**
   * How a multi-publish is traced (semconv "Batch publishing"). `'per-message'`: a PRODUCER
   * `create {topic}` span per message, whose context that message carries, and a CLIENT
   * `send {topic}` span for the call that links to each of them. `'per-call'`: one PRODUCER
   * `send {topic}` span whose context every message of the batch carries. A publish of one
   * message always makes a single PRODUCER `send {topic}` span.
   * Default: `'per-message'`.
   */
  batchSpans?: NsqBatchSpans;
  /**
   * Called with each producer span tracehop starts, before the context is injected, to add
   * attributes. It runs in a safe wrapper: a throw or rejection goes to `diag`.
   * Default: none.
   */
  publishHook?: (span: Span, info: NsqPublishInfo) => void;
}

/** Options of `instrumentReader`: core's options plus a hook. */
export interface NsqReaderOptions extends TracehopOptions {
  /**
   * Called with each `process {topic}` span right after it starts, before the `'message'`
   * (or `'discard'`) listeners run. It runs in a safe wrapper: a throw or rejection goes to
   * `diag`. Default: none.
   */
  consumeHook?: (span: Span, info: NsqConsumeInfo) => void;
}
