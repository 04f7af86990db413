import { diag, type Span } from '@opentelemetry/api';
import { resolveOptions, type ResolvedOptions } from '@tracehop/core';
import { DEFAULT_MAX_MESSAGE_SIZE } from './envelope-format.js';
import type { NsqBatchSpans, NsqConsumeInfo, NsqPublishInfo, NsqReaderOptions, NsqWriterOptions } from './types.js';
import { INSTRUMENTATION_SCOPE } from './version.js';

/** A writer's options, validated once at wrap time with every default applied. */
export interface WriterSettings {
  readonly resolved: ResolvedOptions;
  /** Whether a topic's messages get the envelope; never throws. */
  readonly envelope: (topic: string) => boolean;
  readonly maxMessageSize: number;
  readonly batchSpans: NsqBatchSpans;
  readonly publishHook: ((span: Span, info: NsqPublishInfo) => void) | undefined;
}

/** A reader's options, validated once at wrap time with every default applied. */
export interface ReaderSettings {
  readonly resolved: ResolvedOptions;
  readonly consumeHook: ((span: Span, info: NsqConsumeInfo) => void) | undefined;
}

function hookOption<H>(value: unknown, name: string): H | undefined {
  if (value === undefined || typeof value === 'function') return value as H | undefined;
  throw new TypeError(`tracehop: \`${name}\` must be a function`);
}

function envelopeOption(value: NsqWriterOptions['envelope']): (topic: string) => boolean {
  if (value === undefined || value === true) return () => true;
  if (value === false) return () => false;
  if (typeof value !== 'function') throw new TypeError('tracehop: `envelope` must be a boolean or a function of the topic');
  return (topic) => {
    try {
      return Boolean(value(topic));
    } catch (error) {
      // Raw is the safe side: a consumer that is not wrapped yet cannot read an envelope.
      diag.error(`tracehop: the envelope option threw for topic "${topic}"; publishing it without the envelope`, error);
      return false;
    }
  };
}

/** Validates `instrumentWriter` options; invalid ones throw a TypeError here, never later. */
export function resolveWriterOptions(options: NsqWriterOptions | undefined): WriterSettings {
  const opts = options ?? {};
  const maxMessageSize = opts.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  if (!Number.isSafeInteger(maxMessageSize) || maxMessageSize <= 0) {
    throw new TypeError('tracehop: `maxMessageSize` must be a positive integer (bytes)');
  }
  const batchSpans = opts.batchSpans ?? 'per-message';
  if (batchSpans !== 'per-message' && batchSpans !== 'per-call') {
    throw new TypeError("tracehop: `batchSpans` must be 'per-message' or 'per-call'");
  }
  return {
    resolved: resolveOptions(opts, INSTRUMENTATION_SCOPE),
    envelope: envelopeOption(opts.envelope),
    maxMessageSize,
    batchSpans,
    publishHook: hookOption(opts.publishHook, 'publishHook'),
  };
}

/** Validates `instrumentReader` options; invalid ones throw a TypeError here, never later. */
export function resolveReaderOptions(options: NsqReaderOptions | undefined): ReaderSettings {
  const opts = options ?? {};
  return {
    resolved: resolveOptions(opts, INSTRUMENTATION_SCOPE),
    consumeHook: hookOption(opts.consumeHook, 'consumeHook'),
  };
}
