// Reading what a wrapped writer put on the wire.
import { decodeEnvelope } from '../../src/index.js';

/** The envelope of a sent message, which must be one. */
export function opened(message: unknown): { headers: Record<string, string>; body: Buffer } {
  if (!Buffer.isBuffer(message)) throw new Error(`not a Buffer: ${String(message)}`);
  const decoded = decodeEnvelope(message);
  if (decoded === undefined) throw new Error(`not an envelope: ${message.toString('hex')}`);
  return decoded;
}

/** The span id a `traceparent` names. */
export function parentIdOf(traceparent: string | undefined): string | undefined {
  return traceparent?.split('-')[2];
}
