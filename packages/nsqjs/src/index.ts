export { NsqjsInstrumentation } from './instrumentation.js';
export type { NsqjsInstrumentationConfig } from './instrumentation.js';
export { encodeEnvelope } from './encode-envelope.js';
export { decodeEnvelope } from './decode-envelope.js';
export { extractNsqContext, injectNsqEnvelope } from './envelope-context.js';
export { isInstrumented } from '@tracehop/core';
export { DEFAULT_MAX_MESSAGE_SIZE, ENVELOPE_MAGIC, ENVELOPE_VERSION } from './envelope-format.js';
export { MessageTimeoutError, MessageTooLargeError } from './errors.js';
export { instrumentWriter } from './instrument-writer.js';
export { instrumentReader } from './instrument-reader.js';
export type {
  DecodedEnvelope,
  NsqConsumeInfo,
  NsqMessageLike,
  NsqPayload,
  NsqPublishInfo,
  NsqReaderLike,
  NsqReaderOptions,
  NsqWriterLike,
  NsqWriterOptions,
} from './types.js';
