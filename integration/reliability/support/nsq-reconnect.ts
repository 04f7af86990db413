// nsqjs's Writer does not reconnect: the application does. It must make one connection at a
// time. nsqjs 0.13 queues a publish made before `ready` and sends it, at the first connection's
// `ready`, on `writer.conn`, which a second `connect()` has already replaced with a connection
// still in its handshake; that connection drops the command, and the publish's callback is never
// called (two `connect()` calls and one `publish` reproduce it: the writer ends up ready, the
// callback never comes). A retry loop that calls `connect()` on a timer while `ready` is false
// does exactly that whenever a handshake takes longer than the timer, as on a busy machine.
import type { EventEmitter } from 'node:events';
import type { Writer } from 'nsqjs';
import { sleep } from './ledger.js';

export interface Reconnector {
  /** Stops reconnecting (a connection being made is left to finish). */
  stop(): Promise<void>;
}

/**
 * Keeps `writer` connected: connects now, and again `intervalMs` after its connection closed
 * (or failed to open), never while one is open or being made.
 */
export function keepConnected(writer: Writer, intervalMs = 200): Reconnector {
  let stopped = false;
  let connection: 'none' | 'live' = 'none';
  const connect = () => {
    connection = 'live';
    writer.connect();
    // Every connection ends in `closed` (a refused one included: nsqjs goes ERROR → CLOSED).
    const conn = (writer as unknown as { conn: EventEmitter }).conn;
    conn.once('closed', () => (connection = 'none'));
  };
  const loop = (async () => {
    while (!stopped) {
      if (connection === 'none') connect();
      await sleep(intervalMs);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
