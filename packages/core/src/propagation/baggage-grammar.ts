/**
 * Character classes and percent-encoding of the W3C Baggage header
 * (https://www.w3.org/TR/baggage/#definition), shared by the `baggage` and `jaeger` formats.
 */

// RFC 7230 §3.2.6 tchar: "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" /
// "_" / "`" / "|" / "~" / DIGIT / ALPHA.
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;

// baggage-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E: printable ASCII without
// whitespace, DQUOTE, comma, semicolon and backslash.
const OCTET = new Uint8Array(128);
for (let c = 0x21; c <= 0x7e; c++) OCTET[c] = 1;
for (const c of '",;\\') OCTET[c.charCodeAt(0)] = 0;

const PERCENT = 0x25;

/** Character classes as bits, for parsers that classify each character once. */
export const TOKEN_CHAR = 1;
export const OCTET_CHAR = 2;
export const OWS_CHAR = 4;
const CLASSES = new Uint8Array(128);
for (let c = 0; c < 128; c++) CLASSES[c] = (TCHAR[c] === 1 ? TOKEN_CHAR : 0) | (OCTET[c] === 1 ? OCTET_CHAR : 0);
CLASSES[0x20] = CLASSES[0x09] = OWS_CHAR;

/** The classes of a character code (0 for anything outside ASCII). */
export function classOf(c: number): number {
  return c < 128 ? CLASSES[c]! : 0;
}

/** Whether `text[start, end)` is an RFC 7230 token: what a baggage key must be (§3.3.1.2). */
export function isToken(text: string, start = 0, end = text.length): boolean {
  if (typeof text !== 'string' || !(end > start)) return false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!(c < 128 && TCHAR[c] === 1)) return false;
  }
  return true;
}

/** Whether `text[start, end)` is made of baggage-octets only (may be empty). */
export function isBaggageOctets(text: string, start = 0, end = text.length): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!(c < 128 && OCTET[c] === 1)) return false;
  }
  return true;
}

const HEX = '0123456789ABCDEF';

// What the encoder writes as is: baggage-octets, except "%" (which MUST be encoded) and
// "+" (which MAY be: form-decoding receivers would read a bare "+" as a space).
const PLAIN = new Uint8Array(128);
for (let c = 0; c < 128; c++) PLAIN[c] = OCTET[c]!;
PLAIN[PERCENT] = PLAIN[0x2b] = 0;

/**
 * Percent-encodes a value (§3.3.1.3): every code point outside baggage-octet, and `%` and
 * `+`, as the RFC 3986 §2.1 escapes of its UTF-8 bytes. Values that need no escape are
 * returned as they are, without a copy.
 */
export function percentEncode(value: string): string {
  let i = 0;
  for (; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (!(c < 128 && PLAIN[c] === 1)) break;
  }
  if (i === value.length) return value;
  let out = value.slice(0, i);
  // Buffer.from replaces a lone surrogate with U+FFFD rather than throwing (as encodeURIComponent would).
  const bytes = Buffer.from(value.slice(i), 'utf8');
  for (const byte of bytes) {
    if (byte < 128 && PLAIN[byte] === 1) out += String.fromCharCode(byte);
    else out += '%' + HEX[byte >> 4]! + HEX[byte & 15]!;
  }
  return out;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
}

/**
 * Decodes a percent-encoded value. Byte sequences that are not UTF-8 become U+FFFD, as
 * §3.3.1.3 requires ("MUST be replaced with the replacement code point"); a `%` that does
 * not start an escape makes the value invalid (undefined), since `%` itself must be encoded.
 */
export function percentDecode(text: string, start = 0, end = text.length): string | undefined {
  const first = text.indexOf('%', start);
  if (first === -1 || first >= end) return start === 0 && end === text.length ? text : text.slice(start, end);
  const bytes = Buffer.allocUnsafe(end - start);
  let length = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== PERCENT) {
      bytes[length++] = c;
      continue;
    }
    const high = i + 1 < end ? hexValue(text.charCodeAt(i + 1)) : -1;
    const low = i + 2 < end ? hexValue(text.charCodeAt(i + 2)) : -1;
    if (high < 0 || low < 0) return undefined;
    bytes[length++] = (high << 4) | low;
    i += 2;
  }
  return bytes.toString('utf8', 0, length);
}
