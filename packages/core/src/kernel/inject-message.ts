import type { Context } from '@opentelemetry/api';
import type { HeaderMap } from '../header-carrier.js';
import { injectHeaders } from '../inject-headers.js';
import type { ResolvedOptions } from '../resolve-options.js';

/**
 * A copy of `headers` carrying `context` in the formats chosen now (see PropagationSource),
 * every header those formats own removed first (core's `injectHeaders`).
 */
export function injectMessageHeaders(
  resolved: ResolvedOptions,
  headers: HeaderMap | null | undefined,
  context: Context,
  dropNullish = false,
): Record<string, unknown> {
  const { injector, ownedHeaders } = resolved.propagation.current();
  return injectHeaders(headers, context, injector, { owned: ownedHeaders, dropNullish });
}
