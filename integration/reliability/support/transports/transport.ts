// One message in, one message out, on a real broker: what the trust-boundary scenarios need
// from each broker, so that every scenario runs unchanged on Kafka, RabbitMQ and NSQ.
import type { TracehopOptions } from '@tracehop/core';

/** What a traced consumer's handler sees of one message. */
export interface Received {
  readonly body: string;
  /** The message's headers as they arrived, as text (Kafka Buffers decoded; NSQ: the envelope's). */
  readonly headers: Record<string, string>;
}

export interface Transport {
  readonly name: 'kafka' | 'rabbitmq' | 'nsq';
  /** A destination (topic or queue) no other test uses, ready to receive. */
  destination(): Promise<string>;
  /**
   * Publishes one message carrying exactly `headers`, bypassing tracehop: a producer that is
   * not tracehop, or a hostile one. (NSQ: an envelope built by hand.)
   */
  sendRaw(destination: string, headers: Record<string, string>, body: string): Promise<void>;
  /** Sends through a tracehop-wrapped producer, in the active context. */
  sendTraced(destination: string, body: string, headers?: Record<string, unknown>): Promise<void>;
  /**
   * Consumes one message with a tracehop-wrapped consumer (`options`), runs `handler` inside
   * the consumer's callback (the process span and the inbound context active), settles the
   * message, and resolves with what `handler` returned.
   */
  consumeOne<T>(destination: string, options: TracehopOptions, handler: (message: Received) => T | Promise<T>): Promise<T>;
  /** Receives one message with a raw consumer: its headers, exactly as they travel. */
  receiveRaw(destination: string): Promise<Record<string, string>>;
  close(): Promise<void>;
}

/** Header values as text, whatever the client hands over. */
export function textHeaders(headers: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (typeof value === 'string') out[key] = value;
    else if (Buffer.isBuffer(value)) out[key] = value.toString('utf8');
    else if (Array.isArray(value)) out[key] = value.map((item) => (Buffer.isBuffer(item) ? item.toString('utf8') : String(item))).join(',');
    else if (value !== undefined && value !== null) out[key] = String(value);
  }
  return out;
}
