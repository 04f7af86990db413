import { diag } from '@opentelemetry/api';
import { resolveOptions, type ResolvedOptions } from '@tracehop/core';
import { DEFAULT_MAX_MESSAGE_SIZE } from './envelope-format.js';
import type { NsqReaderOptions, NsqWriterOptions } from './types.js';
import { INSTRUMENTATION_SCOPE } from './version.js';

/** A writer's options, validated once at wrap time with every default applied. */
export interface WriterSettings {
  readonly resolved: ResolvedOptions;
  /** Whether a topic's messages get the envelope; never throws. */
  readonly envelope: (topic: string) => boolean;
  readonly maxMessageSize: number;
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

/** Validates `instrumentWriter` options: core's and NSQ's; invalid ones throw a TypeError here. */
export function resolveWriterOptions(options: NsqWriterOptions | undefined): WriterSettings {
  const opts = options ?? {};
  const maxMessageSize = opts.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  if (!Number.isSafeInteger(maxMessageSize) || maxMessageSize <= 0) {
    throw new TypeError('tracehop: `maxMessageSize` must be a positive integer (bytes)');
  }
  return {
    resolved: resolveOptions(opts, INSTRUMENTATION_SCOPE),
    envelope: envelopeOption(opts.envelope),
    maxMessageSize,
  };
}

/** Validates `instrumentReader` options; invalid ones throw a TypeError here, never later. */
export function resolveReaderOptions(options: NsqReaderOptions | undefined): ResolvedOptions {
  return resolveOptions(options, INSTRUMENTATION_SCOPE);
}
