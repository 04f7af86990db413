/**
 * The size of an AMQP field table as amqplib encodes it (lib/codec.js, `encodeTable` and
 * `encodeFieldValue`), so that tracehop can tell, before publishing, whether adding its
 * headers would overflow amqplib's header encoding buffer. The rules mirror amqplib's own:
 * every enumerable key `for…in` sees, `undefined` values skipped, numbers typed by range.
 */

/**
 * amqplib encodes a message's `headers` into one 64 KiB scratch buffer (lib/defs.js,
 * `SCRATCH = Buffer.alloc(65536)`); a larger table makes `publish` throw a RangeError
 * (amqplib 2.3.1) or, in older versions, produce a frame the broker rejects.
 */
export const HEADER_TABLE_LIMIT = 65536;

const hasOwn = Object.prototype.hasOwnProperty;

/** Mirrors amqplib's `isFloatingPoint`: what it encodes as a double rather than an integer. */
function isFloatingPoint(n: number): boolean {
  return n >= 0x8000000000000000 || (Math.abs(n) < 0x4000000000000 && Math.floor(n) !== n);
}

function integerSize(n: number): number {
  if (n < 128 && n >= -128) return 1;
  if (n >= -0x8000 && n < 0x8000) return 2;
  if (n >= -0x80000000 && n < 0x80000000) return 4;
  return 8;
}

/** Payload sizes of the types that can only be asked for with `{ '!': type, value }`. */
const TYPED_SIZES: Readonly<Record<string, number>> = {
  double: 8,
  float64: 8,
  float: 4,
  byte: 1,
  int8: 1,
  unsignedbyte: 1,
  uint8: 1,
  short: 2,
  int16: 2,
  unsignedshort: 2,
  uint16: 2,
  int: 4,
  int32: 4,
  unsignedint: 4,
  uint32: 4,
  long: 8,
  int64: 8,
  timestamp: 8,
  decimal: 5,
};

/** Encoded size of one field value, its one-byte type tag included. */
export function fieldValueSize(value: unknown): number {
  let type: string = typeof value;
  let val = value;
  if (val !== null && type === 'object' && hasOwn.call(val, '!')) {
    type = String((value as Record<string, unknown>)['!']);
    val = (value as Record<string, unknown>).value;
  }
  switch (type) {
    case 'number':
      return 1 + (isFloatingPoint(val as number) ? 8 : integerSize(val as number));
    case 'string':
      return 1 + 4 + Buffer.byteLength(val as string, 'utf8');
    case 'boolean':
      return 2;
    case 'object':
      if (val === null) return 1;
      if (Array.isArray(val)) return 1 + arraySize(val);
      if (Buffer.isBuffer(val)) return 1 + 4 + val.length;
      return 1 + fieldTableSize(val as object);
    default: {
      const size = TYPED_SIZES[type];
      // Anything else makes amqplib throw a TypeError whatever tracehop adds: count nothing.
      return size === undefined ? 0 : 1 + size;
    }
  }
}

function arraySize(values: readonly unknown[]): number {
  let size = 4;
  for (const value of values) size += fieldValueSize(value);
  return size;
}

/** Encoded size of one table entry: its short-string key and its value. */
export function fieldEntrySize(key: string, value: unknown): number {
  return value === undefined ? 0 : 1 + Buffer.byteLength(key, 'utf8') + fieldValueSize(value);
}

/** Encoded size of a field table, its four-byte length prefix included. */
export function fieldTableSize(table: object): number {
  let size = 4;
  for (const key in table) size += fieldEntrySize(key, (table as Record<string, unknown>)[key]);
  return size;
}

/**
 * An upper bound of `fieldTableSize(table)` reading string lengths only (a UTF-16 unit is at
 * most 3 bytes of UTF-8), or `Infinity` when a value is not a string: what every publish of
 * ordinary headers can check without encoding a byte count per key and value. Exact sizes
 * are computed only when this bound exceeds a limit.
 */
export function stringTableBound(table: object): number {
  let size = 4;
  for (const key in table) {
    const value = (table as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') return Infinity;
    size += 1 + 3 * key.length + 1 + 4 + 3 * value.length;
  }
  return size;
}
