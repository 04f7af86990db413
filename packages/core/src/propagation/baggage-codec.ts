import type { Baggage, BaggageEntry } from '@opentelemetry/api';
import { baggageEntryMetadataFromString, diag, propagation } from '@opentelemetry/api';
import { OCTET_CHAR, OWS_CHAR, TOKEN_CHAR, classOf, isBaggageOctets, isToken, percentDecode, percentEncode } from './baggage-grammar.js';
import { BaggageSet } from './baggage-set.js';

/**
 * W3C Baggage §3.3.2 "Limits": every list-member MUST be propagated while the baggage-string
 * has at most 64 members and 8192 bytes; beyond that whole members MAY be dropped, never
 * part of one. tracehop propagates exactly that much.
 */
export const BAGGAGE_MAX_MEMBERS = 64;
export const BAGGAGE_MAX_BYTES = 8192;
/**
 * The longest baggage header read (several fields joined). Past it, only the members that
 * end before it are read: a sanity bound against hostile input, checked before parsing.
 */
export const BAGGAGE_MAX_INPUT_LENGTH = 4 * BAGGAGE_MAX_BYTES;

const SP = 0x20;
const HTAB = 0x09;
const COMMA = 0x2c;
const EQUALS = 0x3d;
const SEMICOLON = 0x3b;
const PERCENT = 0x25;

function skipOws(text: string, i: number, end: number): number {
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c !== SP && c !== HTAB) break;
    i++;
  }
  return i;
}

function dropOws(text: string, start: number, end: number): number {
  while (end > start) {
    const c = text.charCodeAt(end - 1);
    if (c !== SP && c !== HTAB) break;
    end--;
  }
  return end;
}

/**
 * Validates a property list (`;k1=v1;k2`, §3.3.1.4: `key OWS "=" OWS value` or `key OWS`)
 * and returns it without optional whitespace, or undefined when it is not valid. Property
 * keys and values have no meaning in the spec, so they are carried as they are, undecoded.
 */
export function normalizeProperties(text: string, start = 0, end = text.length): string | undefined {
  let out = '';
  let position = start;
  while (position <= end) {
    let stop = text.indexOf(';', position);
    if (stop === -1 || stop > end) stop = end;
    const s = skipOws(text, position, stop);
    const e = dropOws(text, s, stop);
    position = stop + 1;
    if (s === e) continue; // an empty property (e.g. a trailing ';') carries nothing
    const equals = text.indexOf('=', s);
    let property: string;
    if (equals === -1 || equals >= e) {
      if (!isToken(text, s, e)) return undefined;
      property = text.slice(s, e);
    } else {
      const ke = dropOws(text, s, equals);
      const vs = skipOws(text, equals + 1, e);
      if (!isToken(text, s, ke) || !isBaggageOctets(text, vs, e)) return undefined;
      property = text.slice(s, ke) + '=' + text.slice(vs, e);
    }
    out += out === '' ? property : ';' + property;
  }
  return out;
}

/**
 * Parses a baggage header (several fields already joined by commas), keeping at most 64
 * members and 8192 bytes of them, in order; invalid members are skipped (§3.5: such members
 * MAY be removed). A key given twice keeps its last value (§3.5 lets receivers deduplicate).
 * One pass classifies each character once; only properties take a slower path.
 * Undefined when nothing valid remains.
 */
export function parseBaggageHeader(header: string): BaggageSet | undefined {
  let end = header.length;
  if (end > BAGGAGE_MAX_INPUT_LENGTH) {
    end = header.lastIndexOf(',', BAGGAGE_MAX_INPUT_LENGTH);
    diag.debug(`tracehop: baggage of ${header.length} characters; members past ${BAGGAGE_MAX_INPUT_LENGTH} dropped unread`);
    if (end <= 0) return undefined;
  }
  const entries = new Map<string, BaggageEntry>();
  let count = 0;
  let bytes = 0;
  let i = 0;
  while (i < end && count < BAGGAGE_MAX_MEMBERS) {
    while (i < end && classOf(header.charCodeAt(i)) === OWS_CHAR) i++;
    if (i >= end) break;
    if (header.charCodeAt(i) === COMMA) {
      i++; // an empty member
      continue;
    }
    const memberStart = i;
    // key OWS "=" OWS value
    while (i < end && (classOf(header.charCodeAt(i)) & TOKEN_CHAR) !== 0) i++;
    const keyEnd = i;
    while (i < end && classOf(header.charCodeAt(i)) === OWS_CHAR) i++;
    let valid = keyEnd > memberStart && i < end && header.charCodeAt(i) === EQUALS;
    let valueStart = i + 1;
    let valueEnd = valueStart;
    let escaped = false;
    let propertiesStart = -1;
    if (valid) {
      i = valueStart;
      while (i < end && classOf(header.charCodeAt(i)) === OWS_CHAR) i++;
      valueStart = i;
      for (let c = header.charCodeAt(i); i < end && (classOf(c) & OCTET_CHAR) !== 0; c = header.charCodeAt(++i)) {
        if (c === PERCENT) escaped = true;
      }
      valueEnd = i;
      while (i < end && classOf(header.charCodeAt(i)) === OWS_CHAR) i++;
      if (i < end && header.charCodeAt(i) === SEMICOLON) propertiesStart = i + 1;
      else valid = i >= end || header.charCodeAt(i) === COMMA;
    }
    // The member ends at the next comma (at once for a simple member; past its properties,
    // or past whatever made it invalid, otherwise).
    let memberEnd = i < end && header.charCodeAt(i) === COMMA ? i : header.indexOf(',', i);
    if (memberEnd === -1 || memberEnd > end) memberEnd = end;
    i = memberEnd + 1;
    let trimmedEnd = memberEnd;
    while (trimmedEnd > memberStart && classOf(header.charCodeAt(trimmedEnd - 1)) === OWS_CHAR) trimmedEnd--;
    const size = trimmedEnd - memberStart + (count === 0 ? 0 : 1);
    if (bytes + size > BAGGAGE_MAX_BYTES) {
      diag.debug('tracehop: baggage member dropped: over 8192 bytes');
      continue;
    }
    const entry = valid ? entryOf(header, valueStart, valueEnd, escaped, propertiesStart, memberEnd) : undefined;
    if (entry === undefined) {
      diag.debug('tracehop: invalid baggage member dropped');
      continue;
    }
    entries.set(header.slice(memberStart, keyEnd), entry);
    count++;
    bytes += size;
  }
  return count === 0 ? undefined : new BaggageSet(entries);
}

function entryOf(header: string, valueStart: number, valueEnd: number, escaped: boolean, propertiesStart: number, memberEnd: number): BaggageEntry | undefined {
  const value = escaped ? percentDecode(header, valueStart, valueEnd) : header.slice(valueStart, valueEnd);
  if (value === undefined) return undefined;
  if (propertiesStart === -1) return { value };
  const properties = normalizeProperties(header, propertiesStart, memberEnd);
  if (properties === undefined) return undefined;
  return properties === '' ? { value } : { value, metadata: baggageEntryMetadataFromString(properties) };
}

function serializeEntries(entries: Iterable<[string, BaggageEntry]>): string | undefined {
  let out = '';
  let count = 0;
  for (const [key, entry] of entries) {
    if (count === BAGGAGE_MAX_MEMBERS) {
      diag.debug('tracehop: baggage beyond 64 members not propagated');
      break;
    }
    if (!isToken(key) || typeof entry?.value !== 'string') {
      diag.debug(`tracehop: baggage entry "${String(key)}" cannot be written (the key must be an RFC 7230 token)`);
      continue;
    }
    let member = key + '=' + percentEncode(entry.value);
    if (entry.metadata !== undefined) {
      const properties = normalizeProperties(String(entry.metadata.toString()));
      if (properties === undefined) diag.debug(`tracehop: invalid properties of baggage entry "${key}" not propagated`);
      else if (properties !== '') member += ';' + properties;
    }
    if (out.length + member.length + (count === 0 ? 0 : 1) > BAGGAGE_MAX_BYTES) {
      diag.debug(`tracehop: baggage entry "${key}" not propagated: the header would exceed 8192 bytes`);
      continue;
    }
    out += count === 0 ? member : ',' + member;
    count++;
  }
  return count === 0 ? undefined : out;
}

/**
 * Serialises baggage for the wire: keys that are not tokens cannot be written and are
 * dropped (the spec defines no escape for keys), values are percent-encoded, properties
 * re-validated; members are added in order while the header stays within 64 members and
 * 8192 bytes, and whole members are dropped beyond. Undefined when nothing is left.
 */
export function serializeBaggage(baggage: Baggage): string | undefined {
  // Serialised on every inject, never remembered per Baggage object: the entry objects a
  // baggage hands out (getAllEntries) are its own and can be changed by whoever holds them,
  // so a remembered header could go on sending a value that is no longer there (issue 14).
  return serializeEntries(baggage instanceof BaggageSet ? baggage.entries() : entriesOf(baggage));
}

const API_BAGGAGE: unknown = propagation.createBaggage().constructor;

/**
 * A baggage's entries, in order. The API's own implementation keeps them in a Map
 * (`_entries`) and `getAllEntries()` copies that Map into a new array of new pairs on every
 * call: for a few entries, a third of the cost of serialising them. Its Map is read directly
 * (never written); any other layout or implementation goes through `getAllEntries()`.
 */
function entriesOf(baggage: Baggage): Iterable<[string, BaggageEntry]> {
  if (baggage.constructor === API_BAGGAGE) {
    const entries = (baggage as { _entries?: unknown })._entries;
    if (entries instanceof Map) return entries as ReadonlyMap<string, BaggageEntry>;
  }
  return baggage.getAllEntries();
}
