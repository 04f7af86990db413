import type { BatchingOptions, ConsumerSamplingOptions, TracehopClientOptions } from '@tracehop/core';

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

/** Given to `publishHook` once per published message, with the span whose context it carries. */
export interface NsqPublishInfo {
  readonly topic: string;
  /** `'send'` when the message carries the call's span, `'create'` for its own span in a batch. */
  readonly operation: 'send' | 'create';
  /** The message, as nsqjs serialises it (objects as JSON text), before the envelope. */
  readonly payload: NsqPayload;
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

/**
 * Options of `instrumentWriter`: every option of `@tracehop/core` (`propagator`, `extract`,
 * `inbound`, `baggage`, `spans`, `tracerProvider`, `b3CanonicalCase`, `publishHook`,
 * `consumeHook`, `batchSpans`), plus NSQ publishing options.
 */
export interface NsqWriterOptions extends TracehopClientOptions<NsqPublishInfo, NsqConsumeInfo>, BatchingOptions {
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
}

/** Options of `instrumentReader`: the same vocabulary as every wrapper (see `NsqWriterOptions`). */
export interface NsqReaderOptions extends TracehopClientOptions<NsqPublishInfo, NsqConsumeInfo>, ConsumerSamplingOptions {}
