import { HEADER_TABLE_LIMIT } from './header-table-size.js';

/**
 * The bytes of a content-header frame besides its properties: the frame's type, channel and
 * size (7) and end octet (1), which amqplib calls FRAME_OVERHEAD, then class id (2), weight
 * (2), body size (8) and property flags (2) (AMQP 0-9-1 §4.2.6.1 "The Content Header").
 */
const CONTENT_HEADER_FIXED_BYTES = 8 + 2 + 2 + 8 + 2;

/** The `shortstr` properties amqplib writes from publish options (lib/api_args.js, `publish`). */
const SHORTSTR_OPTIONS = ['contentType', 'contentEncoding', 'correlationId', 'replyTo', 'messageId', 'type', 'userId', 'appId'] as const;

/**
 * The most the other properties can take: each `shortstr` (the eight above and `expiration`)
 * holds at most 255 bytes after its length octet (amqplib refuses longer ones), plus the
 * delivery mode and priority octets and the 8-byte timestamp.
 */
const MAX_OTHER_PROPERTIES_SIZE = (SHORTSTR_OPTIONS.length + 1) * 256 + 1 + 1 + 8;

function shortstrSize(value: unknown): number {
  // amqplib refuses anything but a string here (a TypeError whatever tracehop adds): count nothing.
  return typeof value === 'string' ? 1 + Buffer.byteLength(value, 'utf8') : 0;
}

/**
 * The encoded size of the basic properties other than `headers` that amqplib derives from
 * publish options: what shares the content-header frame with the header table.
 */
export function otherPropertiesSize(options: object | null | undefined): number {
  if (options == null) return 0;
  const o = options as Record<string, unknown>;
  let size = 0;
  for (const name of SHORTSTR_OPTIONS) size += shortstrSize(o[name]);
  if (o.expiration !== undefined && o.expiration !== null) size += shortstrSize(String(o.expiration));
  if (o.persistent !== undefined || typeof o.deliveryMode === 'number' || Boolean(o.deliveryMode)) size += 1;
  if (typeof o.priority === 'number') size += 1;
  if (typeof o.timestamp === 'number') size += 8;
  return size;
}

/**
 * The frame size the channel's connection negotiated (amqplib keeps it as
 * `channel.connection.frameMax`, 0xffffffff for "no limit"), or undefined when it cannot be
 * read. Read defensively: the channel is amqplib's, but a wrapper or a test double may not be.
 */
export function negotiatedFrameMax(channel: object | undefined): number | undefined {
  if (channel === undefined) return undefined;
  try {
    const connection = (channel as { connection?: unknown }).connection;
    const frameMax = connection !== null && typeof connection === 'object' ? (connection as { frameMax?: unknown }).frameMax : undefined;
    return typeof frameMax === 'number' && Number.isFinite(frameMax) && frameMax > 0 ? frameMax : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The largest header table a publish on `channel` with `options` may carry: amqplib's 64 KiB
 * encoding buffer, and the connection's negotiated `frameMax`, since the whole content
 * header must fit in one frame — a larger one makes the broker close the connection
 * (`501 FRAME_ERROR`), taking every channel with it (AMQP 0-9-1 §4.2.3, issue 14).
 */
export function headerTableLimit(channel: object | undefined, options: object | null | undefined): number {
  const frameMax = negotiatedFrameMax(channel);
  // The usual case (RabbitMQ's default frame_max is 128 KiB): a frame with room for the whole
  // 64 KiB table beside the largest other properties there can be, so they are not measured.
  if (frameMax === undefined || frameMax >= HEADER_TABLE_LIMIT + CONTENT_HEADER_FIXED_BYTES + MAX_OTHER_PROPERTIES_SIZE) return HEADER_TABLE_LIMIT;
  return Math.min(HEADER_TABLE_LIMIT, frameMax - CONTENT_HEADER_FIXED_BYTES - otherPropertiesSize(options));
}
