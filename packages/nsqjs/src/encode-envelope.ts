import {
  ENVELOPE_MAGIC,
  ENVELOPE_VERSION,
  FRAME_OVERHEAD,
  HEADERS_BLOCK_OFFSET,
  MAX_HEADER_COUNT,
  MAX_SECTION_BYTES,
  MAX_STRING_BYTES,
} from './envelope-format.js';

/**
 * Encodes a version 1 headers block: a u16 count, then for each header, in the object's own
 * key order, a u16 key length, the key's UTF-8 bytes, a u16 value length and the value's
 * UTF-8 bytes (docs/nsq-envelope.md, "Headers block"). Throws a TypeError or RangeError
 * for input the format cannot carry: a value that is not a string, an empty key, a key or
 * value over 65 535 bytes, more than 65 535 headers.
 */
export function encodeHeaderBlock(headers: Readonly<Record<string, string>>): Buffer {
  const keys = Object.keys(headers);
  if (keys.length > MAX_HEADER_COUNT) {
    throw new RangeError(`tracehop: an envelope carries at most ${MAX_HEADER_COUNT} headers, not ${keys.length}`);
  }
  const lengths = new Array<number>(keys.length * 2);
  let size = 2;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const value = headers[key];
    if (typeof value !== 'string') throw new TypeError(`tracehop: the envelope header "${key}" is not a string`);
    const keyBytes = Buffer.byteLength(key, 'utf8');
    const valueBytes = Buffer.byteLength(value, 'utf8');
    if (keyBytes === 0) throw new RangeError('tracehop: an envelope header key cannot be empty');
    if (keyBytes > MAX_STRING_BYTES || valueBytes > MAX_STRING_BYTES) {
      throw new RangeError(`tracehop: the envelope header "${key.slice(0, 64)}" is over ${MAX_STRING_BYTES} bytes`);
    }
    lengths[i * 2] = keyBytes;
    lengths[i * 2 + 1] = valueBytes;
    size += 4 + keyBytes + valueBytes;
  }
  const block = Buffer.allocUnsafe(size);
  block.writeUInt16BE(keys.length, 0);
  let offset = 2;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const keyBytes = lengths[i * 2]!;
    const valueBytes = lengths[i * 2 + 1]!;
    block.writeUInt16BE(keyBytes, offset);
    offset += 2;
    // Lone surrogates are written as U+FFFD (3 bytes), which Buffer.byteLength also counts.
    offset += block.write(key, offset, keyBytes, 'utf8');
    block.writeUInt16BE(valueBytes, offset);
    offset += 2;
    offset += block.write(headers[key]!, offset, valueBytes, 'utf8');
  }
  return block;
}

/** The byte length of a payload once on the wire: UTF-8 for strings, as nsqjs sends them. */
export function payloadByteLength(payload: string | Uint8Array): number {
  return typeof payload === 'string' ? Buffer.byteLength(payload, 'utf8') : payload.length;
}

/** The size of the envelope that `frameEnvelope(block, payload)` would build. */
export function envelopeSize(block: Uint8Array, payloadBytes: number): number {
  return FRAME_OVERHEAD + block.length + payloadBytes;
}

/**
 * Frames a payload with an encoded headers block: magic, version, H, block, P, payload.
 * A string payload is written as UTF-8 straight into the envelope (no intermediate copy).
 */
export function frameEnvelope(block: Uint8Array, payload: string | Uint8Array, payloadBytes = payloadByteLength(payload)): Buffer {
  if (block.length > MAX_SECTION_BYTES || payloadBytes > MAX_SECTION_BYTES) {
    throw new RangeError('tracehop: an envelope section is over 4 GiB');
  }
  const out = Buffer.allocUnsafe(envelopeSize(block, payloadBytes));
  out[0] = ENVELOPE_MAGIC[0]!;
  out[1] = ENVELOPE_MAGIC[1]!;
  out[2] = ENVELOPE_MAGIC[2]!;
  out[3] = ENVELOPE_MAGIC[3]!;
  out[4] = ENVELOPE_VERSION;
  out.writeUInt32BE(block.length, 5);
  out.set(block, HEADERS_BLOCK_OFFSET);
  let offset = HEADERS_BLOCK_OFFSET + block.length;
  out.writeUInt32BE(payloadBytes, offset);
  offset += 4;
  if (typeof payload === 'string') out.write(payload, offset, payloadBytes, 'utf8');
  else out.set(payload, offset);
  return out;
}

/**
 * Wraps `body` in a version 1 envelope carrying `headers` (docs/nsq-envelope.md). The
 * result is a new Buffer; neither argument is modified. Headers are written in the
 * object's own key order. Throws a TypeError or RangeError for input the format cannot
 * carry (see `encodeHeaderBlock`) or a body that is not bytes.
 */
export function encodeEnvelope(body: Uint8Array, headers: Readonly<Record<string, string>>): Buffer {
  if (!(body instanceof Uint8Array)) throw new TypeError('tracehop: the envelope body must be a Buffer or Uint8Array');
  if (headers === null || typeof headers !== 'object') throw new TypeError('tracehop: envelope headers must be an object');
  return frameEnvelope(encodeHeaderBlock(headers), body);
}
