// An NSQ reader that starts on a backlog knows it before its first delivery: before the reader
// subscribes, its channel does not exist yet and a topic without channels holds every message
// for the first one, so the topic's depth is the channel's backlog-to-be (docs/sampling.md).
// The reader's TCP connection to nsqd runs through a relay the test holds shut, so "before it
// subscribes" is a fact of the test, not a race; nsqd's HTTP port is relayed beside it (the
// reader finds nsqd's HTTP address at its TCP port + 1).
import { createServer, connect as connectTcp, type Server, type Socket } from 'node:net';
import { samplingOf } from '@tracehop/core';
import { instrumentReader } from '@tracehop/nsqjs';
import { Reader } from 'nsqjs';
import { afterEach, expect, it } from 'vitest';
import { nsqd, openWriter, publish, uniqueTopic } from '../nsqjs/support.js';
import { waitUntil } from '../reliability/support/ledger.js';

/** A TCP relay to `target`, holding every connection's bytes until `open()`. */
class Relay {
  readonly #sockets: Socket[] = [];
  readonly #held: Array<() => void> = [];
  #open: boolean;

  constructor(
    readonly server: Server,
    open: boolean,
  ) {
    this.#open = open;
  }

  static async listen(port: number, target: string, open: boolean): Promise<Relay> {
    const [host, targetPort] = target.split(':') as [string, string];
    const server = createServer();
    const relay = new Relay(server, open);
    server.on('connection', (client) => {
      relay.#sockets.push(client);
      client.pause();
      const pipe = () => {
        const upstream = connectTcp(Number(targetPort), host);
        relay.#sockets.push(upstream);
        client.pipe(upstream).pipe(client);
        client.resume();
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
      };
      if (relay.#open) pipe();
      else relay.#held.push(pipe);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return relay;
  }

  get holding(): number {
    return this.#held.length;
  }

  open(): void {
    this.#open = true;
    for (const pipe of this.#held.splice(0)) pipe();
  }

  close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Two relays on neighbouring free ports: nsqd's TCP at `port`, its HTTP at `port + 1`. */
async function relayPair(): Promise<{ tcp: Relay; http: Relay; port: number }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 20_000) * 2;
    const tcp = await Relay.listen(port, nsqd().nsqdTcpAddress, false).catch(() => undefined);
    if (tcp === undefined) continue;
    const http = await Relay.listen(port + 1, nsqd().nsqdHttpAddress, true).catch(() => undefined);
    if (http !== undefined) return { tcp, http, port };
    await tcp.close();
  }
  throw new Error('no two neighbouring free ports for the nsqd relays');
}

async function channelsOf(topic: string): Promise<string[]> {
  const response = await fetch(`http://${nsqd().nsqdHttpAddress}/stats?format=json&topic=${encodeURIComponent(topic)}&include_clients=false`);
  const stats = (await response.json()) as { topics: Array<{ topic_name: string; channels: Array<{ channel_name: string }> }> | null };
  return stats.topics?.find((entry) => entry.topic_name === topic)?.channels.map((channel) => channel.channel_name) ?? [];
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it('an NSQ reader starting on a backlog measures it before it subscribes, then counts it down as it drains', async () => {
  const topic = uniqueTopic('first-answer');
  const backlog = 30;
  const writer = await openWriter(false);
  cleanups.push(() => writer.close());
  await publish(writer, topic, Array.from({ length: backlog }, (_, i) => `m${i}`));

  const { tcp, http, port } = await relayPair();
  cleanups.push(() => tcp.close(), () => http.close());
  const reader = instrumentReader(new Reader(topic, 'first', { nsqdTCPAddresses: [`127.0.0.1:${port}`] }), {
    sampling: { backlog: { capacity: 100, pollIntervalMs: 50 } },
  });
  cleanups.push(() => reader.close());
  // Held, nsqjs may give up identifying and retry: its errors are its own business here.
  reader.on('error', () => undefined);
  let delivered = 0;
  reader.on('message', (message) => {
    delivered++;
    message.finish();
  });
  reader.connect();

  // The reader is held before its first byte reaches nsqd: no channel, no delivery — and the
  // backlog is already known, from the topic's depth.
  expect(await waitUntil(() => tcp.holding > 0, 5_000, 10)).toBe(true);
  expect(await waitUntil(() => samplingOf(topic)?.measured === true, 5_000, 10)).toBe(true);
  expect(await channelsOf(topic)).toEqual([]);
  expect(delivered).toBe(0);
  expect(samplingOf(topic)!.backlog).toBe(backlog);
  expect(samplingOf(topic)!.rate).toBeLessThan(1);

  // Let it subscribe: every message arrives and the backlog counts down to nothing.
  tcp.open();
  expect(await waitUntil(() => delivered === backlog, 5_000, 10)).toBe(true);
  expect(await waitUntil(() => samplingOf(topic)!.backlog === 0, 5_000, 10)).toBe(true);
  expect(samplingOf(topic)!.rate).toBe(1);
});
