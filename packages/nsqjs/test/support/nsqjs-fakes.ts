// Real nsqjs Writer, Reader and Message objects, with only the network replaced: a writer's
// connection records what nsqjs would write and lets the test answer as nsqd would. The real
// broker path is covered by integration/nsqjs.
import { Message, Reader, Writer } from 'nsqjs';

type Callback = ((err?: unknown) => void) | undefined;

export interface Sent {
  readonly topic: string;
  readonly msgs: unknown[];
  readonly timeMs: number | undefined;
}

export interface FakeConnection {
  readonly sent: Sent[];
  /** The connection state nsqjs's Writer checks before publishing. */
  state: string;
  /** Answers the oldest pending publish: OK (no argument) or an error, like nsqd. */
  answer(error?: unknown): void;
  /** How many publishes wait for nsqd's answer. */
  pending(): number;
}

/**
 * A Writer whose connection behaves like nsqjs's WriterNSQDConnection in READY_SEND, quirks
 * included: the callback is queued before the message shape is checked, non-arrays throw,
 * and DPUB takes exactly one message.
 */
export function fakeWriter(): { writer: Writer; conn: FakeConnection } {
  const writer = new Writer('127.0.0.1', 4150);
  const callbacks: Callback[] = [];
  const sent: Sent[] = [];
  const conn = {
    sent,
    state: 'READY_SEND',
    statemachine: {
      get current_state_name() {
        return conn.state;
      },
    },
    produceMessages(topic: string, msgs: unknown, timeMs: number | undefined, callback: Callback) {
      if (conn.state !== 'READY_SEND') return; // other states ignore the event, as node-state does
      callbacks.push(callback);
      if (!Array.isArray(msgs)) throw new Error('Expect an array of messages to produceMessages');
      if (timeMs && msgs.length > 1) throw new Error('DPUB can only defer one message at a time');
      sent.push({ topic, msgs, timeMs });
    },
    answer(error?: unknown) {
      const callback = callbacks.shift();
      if (typeof callback === 'function') callback(error ?? null);
    },
    pending: () => callbacks.length,
  };
  Object.assign(writer, { conn, ready: true });
  return { writer, conn };
}

/** An nsqjs Reader that is never connected: tests drive it with `handleMessage` or `emit`. */
export function fakeReader(topic: string, channel: string, options: Record<string, unknown> = {}): Reader {
  return new Reader(topic, channel, { nsqdTCPAddresses: ['127.0.0.1:4150'], ...options });
}

/** A message as nsqd frames it: timestamp (8), attempts (2), id (16 ASCII bytes), body. */
export function nsqMessage(body: Buffer, options: { id?: string; attempts?: number; msgTimeout?: number } = {}): Message {
  const raw = Buffer.alloc(26 + body.length);
  raw.writeBigInt64BE(1_700_000_000_000_000_000n, 0);
  raw.writeInt16BE(options.attempts ?? 1, 8);
  raw.write((options.id ?? '0a1b2c3d4e5f6789').padEnd(16, '0').slice(0, 16), 10, 'ascii');
  body.copy(raw, 26);
  const timeout = options.msgTimeout ?? 60_000;
  return new Message(raw, 90_000, timeout, timeout * 15);
}

/** Lets nsqjs's `process.nextTick` work (respond, handleMessage) happen. */
export function nextTick(): Promise<void> {
  return new Promise((resolve) => process.nextTick(resolve));
}
