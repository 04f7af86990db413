import { randomUUID } from 'node:crypto';
import { Reader, Writer, type Message } from 'nsqjs';
import type { TracehopOptions } from '@tracehop/core';
import { decodeEnvelope, encodeEnvelope, instrumentReader, instrumentWriter } from '@tracehop/nsqjs';
import type { Received, Transport } from './transport.js';

function publish(writer: Writer, topic: string, body: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => writer.publish(topic, body, (error) => (error ? reject(error) : resolve())));
}

/** Reads one message with `reader` (raw or traced), finishes it, closes the reader. */
function consumeFirst<T>(reader: Reader, handle: (message: Message) => Promise<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    reader.once('message', (message: Message) => {
      const handled = handle(message);
      message.finish();
      reader.close();
      handled.then(resolve, reject);
    });
    reader.once('error', reject);
    reader.connect();
  });
}

export async function nsqTransport(tcpAddress: string, tracing: TracehopOptions): Promise<Transport> {
  const [host, port] = tcpAddress.split(':') as [string, string];
  const open = async (wrap: boolean) => {
    const plain = new Writer(host, Number(port));
    const writer = wrap ? instrumentWriter(plain, tracing) : plain;
    await new Promise<void>((resolve, reject) => {
      writer.once('ready', resolve);
      writer.once('error', reject);
      writer.connect();
    });
    return writer;
  };
  const [raw, traced] = await Promise.all([open(false), open(true)]);
  const reader = (topic: string) => new Reader(topic, 'trust', { nsqdTCPAddresses: [tcpAddress] });
  return {
    name: 'nsq',
    async destination() {
      return `reliability-trust-${randomUUID().slice(0, 8)}`;
    },
    // NSQ has no headers: a foreign producer writes the envelope itself (docs/nsq-envelope.md).
    sendRaw: (topic, headers, body) => publish(raw, topic, encodeEnvelope(Buffer.from(body), headers)),
    sendTraced: (topic, body) => publish(traced, topic, body),
    consumeOne<T>(topic: string, options: TracehopOptions, handler: (message: Received) => T | Promise<T>) {
      // The handler sees the unwrapped body; the envelope's headers are read from the frame as it came.
      return consumeFirst(instrumentReader(reader(topic), { ...tracing, ...options }), async (message) => {
        // nsqjs keeps the frame as it came (timestamp 8, attempts 2, id 16, then the body).
        const frame = (message as Message & { rawMessage: Buffer }).rawMessage;
        const headers = decodeEnvelope(frame.subarray(26))?.headers ?? {};
        return handler({ body: message.body.toString(), headers: { ...headers } });
      });
    },
    receiveRaw: (topic) => consumeFirst(reader(topic), async (message) => ({ ...(decodeEnvelope(message.body)?.headers ?? {}) })),
    async close() {
      raw.close();
      traced.close();
    },
  };
}
