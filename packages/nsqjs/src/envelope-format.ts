/**
 * The NSQ body envelope's fixed layout, as specified byte by byte in docs/nsq-envelope.md.
 * Every multi-byte integer is unsigned big-endian.
 *
 * ```
 * offset  size  field
 * 0       4     magic           00 F5 54 48
 * 4       1     version         01
 * 5       4     headers length  H
 * 9       H     headers block   (version 1: count u16, then count × key u16+bytes, value u16+bytes)
 * 9+H     4     payload length  P
 * 13+H    P     payload         the original message body, byte for byte
 * ```
 */

/**
 * `00 F5 54 48`. A leading NUL never starts JSON or text and is never a valid protobuf tag
 * (field number 0); `F5` is never valid in UTF-8 and, as the second byte, rules out
 * Confluent-style `00`+schema-id framing and big-endian length prefixes of any size nsqd
 * accepts. `54 48` ("TH", tracehop) makes the prefix recognisable in a hex dump.
 */
export const ENVELOPE_MAGIC: readonly number[] = [0x00, 0xf5, 0x54, 0x48];

/** The version this package writes, and the only one whose headers block it reads. */
export const ENVELOPE_VERSION = 1;

export const MAGIC_LENGTH = 4;
/** magic + version + headers length. */
export const HEADERS_BLOCK_OFFSET = 9;
/** The smallest possible frame: magic, version, H = 0, P = 0. */
export const MIN_FRAME_LENGTH = 13;
/** The frame bytes around the headers block and the payload (13). */
export const FRAME_OVERHEAD = 13;

/** Keys and values are length-prefixed with a u16: at most 65 535 bytes each. */
export const MAX_STRING_BYTES = 0xffff;
/** The header count is a u16. */
export const MAX_HEADER_COUNT = 0xffff;
/** H and P are u32. */
export const MAX_SECTION_BYTES = 0xffffffff;

/** nsqd's default `--max-msg-size` (1 MiB): the largest message body it accepts. */
export const DEFAULT_MAX_MESSAGE_SIZE = 1024 * 1024;
