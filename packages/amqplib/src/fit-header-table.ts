import { diag } from '@opentelemetry/api';
import { isOwnedHeader, type OwnedHeaders } from '@tracehop/core';
import { HEADER_TABLE_LIMIT, fieldEntrySize, fieldTableSize } from './header-table-size.js';

/** W3C baggage's header, and the prefix of Jaeger's per-key baggage headers. */
const BAGGAGE_HEADER = 'baggage';
const JAEGER_BAGGAGE_PREFIX = 'uberctx-';

/** What fitting the headers into amqplib's table limit decided. */
export type FitResult =
  /** The headers fit, possibly after trimming what tracehop added. */
  | { readonly fits: true; readonly headers: Record<string, unknown> }
  /** The caller's own headers are too large: publish them untouched, as without tracehop. */
  | { readonly fits: false };

function isBaggageHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === BAGGAGE_HEADER || lower.startsWith(JAEGER_BAGGAGE_PREFIX);
}

/**
 * Keeps the leading W3C baggage list-members that fit in `budget` bytes of header value
 * (members are cut only at their `,` separators, so what remains is still a valid list).
 */
function trimBaggageList(value: string, budget: number): string {
  let kept = '';
  for (const member of value.split(',')) {
    const next = kept === '' ? member : `${kept},${member}`;
    if (Buffer.byteLength(next, 'utf8') > budget) break;
    kept = next;
  }
  return kept;
}

/**
 * Makes sure a publish's header table, with what tracehop injected, stays within amqplib's
 * 64 KiB encoding buffer (see `HEADER_TABLE_LIMIT`). Baggage goes first: W3C list-members are
 * dropped from the end, Jaeger `uberctx-*` headers one by one; only if that is not enough is
 * every injected header removed. The message is always published; what was cut is logged
 * through `diag`. `extraBytes` counts what amqplib adds to the table itself (CC, BCC).
 */
export function fitHeaderTable(headers: Record<string, unknown>, owned: OwnedHeaders, extraBytes: number): FitResult {
  let total = fieldTableSize(headers) + extraBytes;
  if (total <= HEADER_TABLE_LIMIT) return { fits: true, headers };

  const injected = Object.keys(headers).filter((name) => isOwnedHeader(owned, name));
  const injectedSize = injected.reduce((sum, name) => sum + fieldEntrySize(name, headers[name]), 0);
  if (total - injectedSize > HEADER_TABLE_LIMIT) return { fits: false };

  // Trim baggage, last headers first, until the table fits.
  for (const name of injected.filter(isBaggageHeader).reverse()) {
    if (total <= HEADER_TABLE_LIMIT) break;
    const value = headers[name];
    const entry = fieldEntrySize(name, value);
    if (name.toLowerCase() === BAGGAGE_HEADER && typeof value === 'string') {
      // Room for the value: the limit, less the rest of the table, the key and the type tag and length.
      const budget = HEADER_TABLE_LIMIT - (total - entry) - (1 + Buffer.byteLength(name, 'utf8') + 1 + 4);
      const kept = budget > 0 ? trimBaggageList(value, budget) : '';
      if (kept !== '') {
        headers[name] = kept;
        total += fieldEntrySize(name, kept) - entry;
        continue;
      }
    }
    delete headers[name];
    total -= entry;
  }
  if (total <= HEADER_TABLE_LIMIT) {
    diag.warn(`tracehop: baggage trimmed so that the AMQP header table stays within ${HEADER_TABLE_LIMIT} bytes`);
    return { fits: true, headers };
  }

  for (const name of injected) delete headers[name];
  diag.warn(`tracehop: the AMQP header table would exceed ${HEADER_TABLE_LIMIT} bytes; the message is published without trace context`);
  return { fits: true, headers };
}
