import type { Context, TextMapPropagator } from '@opentelemetry/api';
import { diag } from '@opentelemetry/api';
import { headerSetter, type HeaderMap } from './header-carrier.js';
import { isOwnedHeader, ownedHeadersOf, type OwnedHeaders } from './owned-headers.js';

export interface InjectHeadersOptions {
  /** Headers to clear before writing; defaults to what `propagator` owns. */
  readonly owned?: OwnedHeaders;
  /** Leave out null and undefined user values (kafkajs rejects them). */
  readonly dropNullish?: boolean;
}

const hasOwn = Object.prototype.hasOwnProperty;

function assign(target: Record<string, unknown>, name: string, value: unknown): void {
  // A header literally named `__proto__` must stay a header, not become a prototype.
  if (name === '__proto__') {
    Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[name] = value;
  }
}

/**
 * Returns a copy of `headers` carrying `context` in the propagator's format. The caller's
 * object is never written to. Every header the propagators own is removed from the copy
 * first, so a message never carries two conflicting contexts (for instance when an
 * auto-instrumentation injected before us). User values are copied by reference: a Buffer
 * travels as the very same bytes.
 */
export function injectHeaders(
  headers: HeaderMap | null | undefined,
  context: Context,
  propagator: TextMapPropagator,
  options: InjectHeadersOptions = {},
): Record<string, unknown> {
  const owned = options.owned ?? ownedHeadersOf(propagator);
  const out: Record<string, unknown> = {};
  if (headers != null && typeof headers === 'object') {
    for (const name in headers) {
      if (!hasOwn.call(headers, name) || isOwnedHeader(owned, name)) continue;
      const value = headers[name];
      if (options.dropNullish && value == null) continue;
      assign(out, name, value);
    }
  }
  try {
    propagator.inject(context, out, headerSetter);
  } catch (error) {
    diag.warn('tracehop: the propagator failed to inject; the message is sent without context', error);
  }
  return out;
}
