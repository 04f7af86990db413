/**
 * One pass over a broker's header map that finds every header any of tracehop's formats
 * reads, so that an extract with several formats configured reads each header once (issue
 * 14: with all five formats the carrier used to be scanned six times, and Jaeger scanned it
 * once more per `uberctx-*` header). Built by the composite propagator (and by the Jaeger
 * propagator on its own) when the carrier is read with core's `headerGetter`; the parsers
 * then look their headers up here (`readSource`, `readSources`, Jaeger's baggage).
 */

/** Every fixed header name tracehop's propagators read, lowercase. */
const FIXED_NAMES = [
  'traceparent',
  'tracestate',
  'baggage',
  'b3',
  'x-b3-traceid',
  'x-b3-spanid',
  'x-b3-sampled',
  'x-b3-flags',
  'uber-trace-id',
] as const;

/** Jaeger's per-entry baggage headers: `uberctx-{key}`. */
export const UBERCTX_PREFIX = 'uberctx-';
/**
 * Distinct `uberctx-*` names kept: W3C baggage's 64 members, which the Jaeger propagator also
 * applies. Every name counts, whether its entry is later kept or not, so a message of
 * thousands of such headers costs one scan and 64 entries.
 */
export const UBERCTX_MAX_NAMES = 64;

const NONE = -1;
const UBERCTX = -2;
const NO_UBERCTX: readonly UberctxHeader[] = Object.freeze([]);

/**
 * Whether `name` is `key` (ASCII lowercase) in any case, without a lowercased copy. For the
 * keys tracehop reads this is exactly `name.toLowerCase() === key`: of the characters that
 * lowercase to ASCII only the Kelvin sign (to `k`) is not ASCII, and no key holds a `k`.
 */
export function equalsLowercase(name: string, key: string): boolean {
  if (name.length !== key.length) return false;
  for (let i = 0; i < key.length; i++) {
    const c = name.charCodeAt(i);
    const k = key.charCodeAt(i);
    if (c !== k && !(k >= 0x61 && k <= 0x7a && c === k - 0x20)) return false;
  }
  return true;
}

/** Whether a header name starts with `uberctx-` (any case) and has a key after it. */
export function isUberctxName(name: string): boolean {
  if (name.length <= UBERCTX_PREFIX.length) return false;
  for (let i = 0; i < UBERCTX_PREFIX.length; i++) {
    const c = name.charCodeAt(i);
    const wanted = UBERCTX_PREFIX.charCodeAt(i);
    if (c !== wanted && !(wanted >= 0x61 && c === wanted - 0x20)) return false;
  }
  return true;
}

/** The slot of a fixed name (its index in FIXED_NAMES), UBERCTX, or NONE; by length first. */
function slotOf(name: string): number {
  switch (name.length) {
    case 2:
      return equalsLowercase(name, 'b3') ? 3 : NONE;
    case 7:
      return equalsLowercase(name, 'baggage') ? 2 : NONE;
    case 10:
      if (equalsLowercase(name, 'tracestate')) return 1;
      if (equalsLowercase(name, 'x-b3-flags')) return 7;
      break;
    case 11:
      if (equalsLowercase(name, 'traceparent')) return 0;
      if (equalsLowercase(name, 'x-b3-spanid')) return 5;
      break;
    case 12:
      if (equalsLowercase(name, 'x-b3-traceid')) return 4;
      if (equalsLowercase(name, 'x-b3-sampled')) return 6;
      break;
    case 13:
      if (equalsLowercase(name, 'uber-trace-id')) return 8;
      break;
  }
  return isUberctxName(name) ? UBERCTX : NONE;
}

/** A `uberctx-*` header: its name as first spelled, and its value(s) under every spelling. */
export interface UberctxHeader {
  readonly name: string;
  raw: unknown;
  /** Values under several spellings, taken together (as `readHeader` does). */
  several: unknown[] | undefined;
}

function appendTo(list: unknown[], value: unknown): void {
  if (Array.isArray(value)) for (const item of value as unknown[]) list.push(item);
  else list.push(value);
}

export class HeaderIndex {
  readonly #raw = new Array<unknown>(FIXED_NAMES.length);
  #several: unknown[][] | undefined;
  #seen = 0;
  // Made when first needed: most messages carry no `uberctx-*` header, and a consumer that
  // reads one format converts one value.
  #converted: unknown[] | undefined;
  #convertedMask = 0;
  #uberctx: UberctxHeader[] | undefined;
  #uberctxByName: Map<string, UberctxHeader> | undefined;
  /** Whether reading the carrier failed (a throwing getter or Proxy): then nothing is known. */
  readonly failed: boolean;

  /** Reads `headers` once. Never throws. */
  constructor(headers: object) {
    let failed = false;
    try {
      const map = headers as Record<string, unknown>;
      // Own enumerable names, as `for…in` with an own-property check: with the tables made
      // lazily, ~10% less time per Kafka-shaped carrier side by side (issue 18). The smaller
      // scans (readSources, readHeader, the inject copy) measured faster with `for…in`.
      for (const name of Object.keys(map)) {
        const slot = slotOf(name);
        if (slot === NONE) continue;
        if (slot === UBERCTX) this.#addUberctx(map, name);
        else this.#addFixed(slot, map[name]);
      }
    } catch {
      failed = true;
    }
    this.failed = failed;
  }

  #addFixed(slot: number, value: unknown): void {
    const bit = 1 << slot;
    if ((this.#seen & bit) === 0) {
      this.#seen |= bit;
      this.#raw[slot] = value;
      return;
    }
    const several = (this.#several ??= []);
    let list = several[slot];
    if (list === undefined) {
      list = several[slot] = [];
      appendTo(list, this.#raw[slot]);
    }
    appendTo(list, value);
  }

  #addUberctx(map: Record<string, unknown>, name: string): void {
    const byName = (this.#uberctxByName ??= new Map());
    const lower = name.toLowerCase();
    const known = byName.get(lower);
    if (known !== undefined) {
      if (known.several === undefined) {
        known.several = [];
        appendTo(known.several, known.raw);
      }
      appendTo(known.several, map[name]);
      return;
    }
    // Beyond the limit a new name's value is not even read; spellings of kept names still
    // merge above.
    const kept = (this.#uberctx ??= []);
    if (kept.length === UBERCTX_MAX_NAMES) return;
    const header: UberctxHeader = { name, raw: map[name], several: undefined };
    byName.set(lower, header);
    kept.push(header);
  }

  /**
   * The value(s) of a fixed header, converted once by `convert` (the first caller's
   * conversion is shared: `b3` and `b3multi` read the same headers). Undefined for a name
   * that is not indexed or not present.
   */
  source<T>(key: string, convert: (raw: unknown) => T): T | undefined {
    const slot = (FIXED_NAMES as readonly string[]).indexOf(key);
    if (this.failed || slot === -1 || (this.#seen & (1 << slot)) === 0) return undefined;
    const bit = 1 << slot;
    const converted = (this.#converted ??= new Array<unknown>(FIXED_NAMES.length));
    if ((this.#convertedMask & bit) === 0) {
      this.#convertedMask |= bit;
      converted[slot] = convert(this.#several?.[slot] ?? this.#raw[slot]);
    }
    return converted[slot] as T;
  }

  /** The first (at most 64) distinct `uberctx-*` headers, in carrier order. */
  uberctxHeaders(): readonly UberctxHeader[] {
    return this.failed || this.#uberctx === undefined ? NO_UBERCTX : this.#uberctx;
  }
}
