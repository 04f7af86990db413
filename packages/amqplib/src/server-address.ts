import type { Attributes } from '@opentelemetry/api';
import { ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT } from '@tracehop/core';

/** The parts of amqplib's internal connection object that say where the broker is. */
interface ConnectionLike {
  readonly stream?: { readonly remoteAddress?: unknown; readonly remotePort?: unknown } | null;
}

const NONE: Attributes = Object.freeze({});

/**
 * `server.address` and `server.port` of the broker a channel talks to, read once per channel
 * from its socket. amqplib keeps no host name once connected, so the address is the peer's
 * IP address, which the conventions allow when no domain name is at hand without a lookup.
 * Anything unexpected yields no attributes rather than an error.
 */
export function serverAttributes(channel: object): Attributes {
  try {
    const connection = (channel as { connection?: ConnectionLike }).connection;
    const stream = connection?.stream;
    const address = stream?.remoteAddress;
    const port = stream?.remotePort;
    if (typeof address !== 'string' || address === '') return NONE;
    return typeof port === 'number'
      ? { [ATTR_SERVER_ADDRESS]: address, [ATTR_SERVER_PORT]: port }
      : { [ATTR_SERVER_ADDRESS]: address };
  } catch {
    return NONE;
  }
}
