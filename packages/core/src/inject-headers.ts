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
 * Copies the caller's own headers that no format owns. Never throws: a header whose value
 * cannot be read (a throwing getter, a Proxy trap) is left out and logged, since nothing could
 * send it anyway; a carrier that cannot even be enumerated gives no user headers.
 */
function copyUserHeaders(headers: HeaderMap, out: Record<string, unknown>, owned: OwnedHeaders, dropNullish: boolean): void {
  try {
    for (const name in headers) {
      try {
        if (!hasOwn.call(headers, name) || isOwnedHeader(owned, name)) continue;
        const value = headers[name];
        if (dropNullish && value == null) continue;
        assign(out, name, value);
      } catch (error) {
        diag.warn(`tracehop: the header "${name}" could not be read and is left out`, error);
      }
    }
  } catch (error) {
    diag.warn('tracehop: the headers could not be read; only the context is sent', error);
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
  if (headers != null && typeof headers === 'object') copyUserHeaders(headers, out, owned, options.dropNullish === true);
  try {
    propagator.inject(context, out, headerSetter);
  } catch (error) {
    diag.warn('tracehop: the propagator failed to inject; the message is sent without context', error);
  }
  return out;
}
