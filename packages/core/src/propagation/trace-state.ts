import type { TraceState } from '@opentelemetry/api';
import { diag } from '@opentelemetry/api';
import { textAt, type HeaderSource } from './header-source.js';

/** W3C trace-context §3.3.1.3 "list": at most 32 list-members. */
export const TRACESTATE_MAX_MEMBERS = 32;
const MAX_KEY_LENGTH = 256;
const MAX_VALUE_LENGTH = 256;
/**
 * The longest tracestate tracehop writes: 512 characters, the minimum the spec asks every
 * vendor to propagate (W3C trace-context §3.3.1.5 "tracestate Limits"). Longer ones are
 * truncated by whole entries as that section prescribes.
 */
export const TRACESTATE_MAX_PROPAGATED_LENGTH = 512;
/** §3.3.1.5: "Entries larger than 128 characters long SHOULD be removed first." */
const LARGE_ENTRY_LENGTH = 128;
/**
 * The longest tracestate read: 32 members of the longest key and value, separated by ", ".
 * A longer header cannot be a sensible one and is discarded before any parsing.
 */
export const TRACESTATE_MAX_INPUT_LENGTH =
  TRACESTATE_MAX_MEMBERS * (MAX_KEY_LENGTH + 1 + MAX_VALUE_LENGTH) + (TRACESTATE_MAX_MEMBERS - 1) * 2;

// Level 2 key grammar (§3.3.1.3.1): key = ( lcalpha / DIGIT ) 0*255( keychar ),
// keychar = lcalpha / DIGIT / "_" / "-" / "*" / "/" / "@".
const KEY_FIRST = new Uint8Array(128);
const KEY_CHAR = new Uint8Array(128);
for (let c = 0x61; c <= 0x7a; c++) KEY_FIRST[c] = KEY_CHAR[c] = 1;
for (let c = 0x30; c <= 0x39; c++) KEY_FIRST[c] = KEY_CHAR[c] = 1;
for (const c of '_-*/@') KEY_CHAR[c.charCodeAt(0)] = 1;

function isValidKey(text: string, start: number, end: number): boolean {
  const length = end - start;
  if (length < 1 || length > MAX_KEY_LENGTH) return false;
  const first = text.charCodeAt(start);
  if (!(first < 128 && KEY_FIRST[first] === 1)) return false;
  for (let i = start + 1; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!(c < 128 && KEY_CHAR[c] === 1)) return false;
  }
  return true;
}

// §3.3.1.3.2: value = 0*255(chr) nblk-chr; chr = %x20 / nblk-chr;
// nblk-chr = %x21-2B / %x2D-3C / %x3E-7E (printable ASCII without "," and "=").
function isValidValue(text: string, start: number, end: number): boolean {
  const length = end - start;
  if (length < 1 || length > MAX_VALUE_LENGTH || text.charCodeAt(end - 1) === 0x20) return false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x2c || c === 0x3d) return false;
  }
  return true;
}

/**
 * An immutable W3C tracestate: the `TraceState` handed to the SDK on extract and read back
 * on inject. Entries are kept left to right as on the wire.
 */
export class W3CTraceState implements TraceState {
  readonly #keys: readonly string[];
  readonly #values: readonly string[];
  #serialized: string | undefined;
  #propagated: string | undefined;

  constructor(keys: readonly string[] = [], values: readonly string[] = []) {
    this.#keys = keys;
    this.#values = values;
  }

  /** Sets `key`, moved to the left as §3.5 requires; invalid keys or values change nothing. */
  set(key: string, value: string): TraceState {
    if (typeof key !== 'string' || typeof value !== 'string') return this;
    if (!isValidKey(key, 0, key.length) || !isValidValue(value, 0, value.length)) return this;
    const keys = [key];
    const values = [value];
    for (let i = 0; i < this.#keys.length && keys.length < TRACESTATE_MAX_MEMBERS; i++) {
      if (this.#keys[i] === key) continue;
      keys.push(this.#keys[i]!);
      values.push(this.#values[i]!);
    }
    return new W3CTraceState(keys, values);
  }

  unset(key: string): TraceState {
    const index = this.#keys.indexOf(key);
    if (index === -1) return this;
    return new W3CTraceState(this.#keys.filter((_, i) => i !== index), this.#values.filter((_, i) => i !== index));
  }

  get(key: string): string | undefined {
    const index = this.#keys.indexOf(key);
    return index === -1 ? undefined : this.#values[index];
  }

  /** Every entry, `key=value` joined by commas. */
  serialize(): string {
    if (this.#serialized === undefined) {
      let out = '';
      for (let i = 0; i < this.#keys.length; i++) out += (i === 0 ? '' : ',') + this.#keys[i]! + '=' + this.#values[i]!;
      this.#serialized = out;
    }
    return this.#serialized;
  }

  /**
   * What goes on the wire: at most 512 characters, truncated by whole entries, entries over
   * 128 characters first, then from the right (§3.3.1.5).
   */
  propagated(): string {
    if (this.#propagated === undefined) {
      const full = this.serialize();
      this.#propagated = full.length <= TRACESTATE_MAX_PROPAGATED_LENGTH ? full : this.#truncate(full.length);
    }
    return this.#propagated;
  }

  #truncate(total: number): string {
    const count = this.#keys.length;
    const sizes = this.#keys.map((key, i) => key.length + 1 + this.#values[i]!.length);
    const kept = new Array<boolean>(count).fill(true);
    let length = total;
    const drop = (i: number) => {
      kept[i] = false;
      // The entry and the comma beside it go (dropping the very last entry counts one comma
      // too many, which only ends the loop).
      length -= sizes[i]! + 1;
    };
    for (let i = count - 1; i >= 0 && length > TRACESTATE_MAX_PROPAGATED_LENGTH; i--) {
      if (sizes[i]! > LARGE_ENTRY_LENGTH) drop(i);
    }
    for (let i = count - 1; i >= 0 && length > TRACESTATE_MAX_PROPAGATED_LENGTH; i--) {
      if (kept[i]) drop(i);
    }
    let out = '';
    for (let i = 0; i < count; i++) {
      if (kept[i]) out += (out === '' ? '' : ',') + this.#keys[i]! + '=' + this.#values[i]!;
    }
    return out;
  }
}

/**
 * Parses a tracestate header (several fields already joined by commas). Returns undefined
 * when the header must be discarded as a whole: more than 32 list-members (W3C test suite,
 * `test_tracestate_member_count_limit`; every member counts, repeated keys too), an invalid
 * key or value. A key given again is valid grammar: §3.3.1.4 says only one entry per key is
 * allowed, and §3.5 lets a vendor discard such duplicates, never the header, which it must
 * pass on. The first occurrence of each key is kept, in place (it is the leftmost, the most
 * recent writer's). Empty and whitespace-only members are allowed (§3.3.1.3). Work is
 * bounded by the input cap and the 32 members: the duplicate check is over at most 32 keys.
 */
export function parseTraceState(source: HeaderSource): W3CTraceState | undefined {
  if (source.length > TRACESTATE_MAX_INPUT_LENGTH) {
    diag.debug(`tracehop: tracestate of ${source.length} characters discarded unread`);
    return undefined;
  }
  // The grammar is ASCII: bytes are read as Latin-1, and any other byte fails the checks.
  const header = textAt(source, 0, source.length);
  const keys: string[] = [];
  const values: string[] = [];
  let members = 0;
  let position = 0;
  while (position <= header.length) {
    let end = header.indexOf(',', position);
    if (end === -1) end = header.length;
    let start = position;
    let stop = end;
    position = end + 1;
    while (start < stop && isOws(header.charCodeAt(start))) start++;
    while (stop > start && isOws(header.charCodeAt(stop - 1))) stop--;
    if (start === stop) continue;
    if (members++ === TRACESTATE_MAX_MEMBERS) return invalid('more than 32 members');
    const equals = header.indexOf('=', start);
    if (equals === -1 || equals >= stop) return invalid('a member without "="');
    if (!isValidKey(header, start, equals)) return invalid('an invalid key');
    if (!isValidValue(header, equals + 1, stop)) return invalid('an invalid value');
    const key = header.slice(start, equals);
    if (keys.includes(key)) {
      diag.debug(`tracehop: tracestate: the repeated key "${key}" is dropped, its first entry kept`);
      continue;
    }
    keys.push(key);
    values.push(header.slice(equals + 1, stop));
  }
  return keys.length === 0 ? undefined : new W3CTraceState(keys, values);
}

function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

function invalid(reason: string): undefined {
  diag.debug(`tracehop: tracestate discarded: ${reason}`);
  return undefined;
}

/**
 * The tracestate header to write for a span context's `TraceState`, or undefined when there
 * is nothing valid to send. A foreign `TraceState` implementation is re-validated, so that
 * tracehop never writes a header the spec calls invalid.
 */
export function traceStateHeader(traceState: TraceState): string | undefined {
  const state = traceState instanceof W3CTraceState ? traceState : parseTraceState(String(traceState.serialize()));
  const header = state?.propagated();
  return header === undefined || header === '' ? undefined : header;
}
