export { AmqplibInstrumentation } from './instrumentation.js';
export type { AmqplibInstrumentationConfig } from './instrumentation.js';
export { instrumentConnection } from './instrument-connection.js';
export { isInstrumented } from '@tracehop/core';
export { instrumentChannel } from './instrument-channel.js';
export { extractAmqpContext, injectAmqpHeaders } from './amqp-headers.js';
export { getMessageContext } from './message-context.js';
export { DEFAULT_SETTLE_TIMEOUT_MS } from './resolve-instrumentation.js';
export { HEADER_TABLE_LIMIT } from './header-table-size.js';
export { ATTR_SETTLE_REQUEUE } from './settle.js';
export type { SettleOperation } from './settle.js';
export type {
  AmqplibInstrumentationOptions,
  ConsumeInfo,
  PublishInfo,
} from './types.js';
export { INSTRUMENTATION_SCOPE } from './version.js';
