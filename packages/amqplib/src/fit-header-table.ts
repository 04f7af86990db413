import { diag } from '@opentelemetry/api';
import { isOwnedHeader, type OwnedHeaders } from '@tracehop/core';
import { HEADER_TABLE_LIMIT, fieldEntrySize, fieldTableSize, stringTableBound } from './header-table-size.js';

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
  let bytes = 0;
  for (const member of value.split(',')) {
    // Sizes are added up member by member: linear in the list, however long.
    const size = Buffer.byteLength(member, 'utf8') + (kept === '' ? 0 : 1);
    if (bytes + size > budget) break;
    kept = kept === '' ? member : `${kept},${member}`;
    bytes += size;
  }
  return kept;
}

/**
 * Makes sure a publish's header table, with what tracehop injected, stays within `limit`:
 * amqplib's 64 KiB encoding buffer (see `HEADER_TABLE_LIMIT`), or less when the connection's
 * negotiated frame size leaves less room (frame-limit.ts). Baggage goes first: W3C
 * list-members are dropped from the end, Jaeger `uberctx-*` headers one by one; only if that
 * is not enough is every injected header removed. The message is always published; what was
 * cut is logged through `diag`, once. `extraBytes` counts what amqplib adds to the table
 * itself (CC, BCC).
 */
export function fitHeaderTable(
  headers: Record<string, unknown>,
  owned: OwnedHeaders,
  extraBytes: number,
  limit: number = HEADER_TABLE_LIMIT,
): FitResult {
  // Ordinary headers (a few short strings) are far below the limit: a bound from their lengths
  // says so without a UTF-8 byte count per key and value on every publish.
  if (stringTableBound(headers) + extraBytes <= limit) return { fits: true, headers };
  let total = fieldTableSize(headers) + extraBytes;
  if (total <= limit) return { fits: true, headers };

  const injected = Object.keys(headers).filter((name) => isOwnedHeader(owned, name));
  const injectedSize = injected.reduce((sum, name) => sum + fieldEntrySize(name, headers[name]), 0);
  if (total - injectedSize > limit) return { fits: false };

  // Trim baggage, last headers first, until the table fits.
  for (const name of injected.filter(isBaggageHeader).reverse()) {
    if (total <= limit) break;
    const value = headers[name];
    const entry = fieldEntrySize(name, value);
    if (name.toLowerCase() === BAGGAGE_HEADER && typeof value === 'string') {
      // Room for the value: the limit, less the rest of the table, the key and the type tag and length.
      const budget = limit - (total - entry) - (1 + Buffer.byteLength(name, 'utf8') + 1 + 4);
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
  if (total <= limit) {
    diag.warn(`tracehop: baggage trimmed so that the AMQP header table stays within ${limit} bytes`);
    return { fits: true, headers };
  }

  for (const name of injected) delete headers[name];
  diag.warn(`tracehop: the AMQP header table would exceed ${limit} bytes; the message is published without trace context`);
  return { fits: true, headers };
}
