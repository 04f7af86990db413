import { standaloneResolver } from '@tracehop/core';
import { INSTRUMENTATION_SCOPE } from './version.js';

/**
 * The options of `injectAmqpHeaders` and `extractAmqpContext`, which may run per message:
 * resolved once per options object and once for the defaults (core's `standaloneResolver`).
 */
export const standaloneOptions = standaloneResolver(INSTRUMENTATION_SCOPE);
