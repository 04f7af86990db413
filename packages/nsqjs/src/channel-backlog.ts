import { diag } from '@opentelemetry/api';
import { BacklogSampling, samplingForDestination, type ResolvedBacklogSampling } from '@tracehop/core';
import { get } from 'node:http';

/** The part of nsqd's `/stats?format=json` answer that is read. */
interface NsqdStats {
  readonly topics?: ReadonlyArray<{
    readonly topic_name?: string;
    readonly depth?: number;
    readonly channels?: ReadonlyArray<{ readonly channel_name?: string; readonly depth?: number }>;
  }> | null;
}

/** The nsqd HTTP addresses of a reader: each `nsqdTCPAddresses` entry at its port + 1 (nsqd's default pairing). */
export function statsAddresses(reader: object): string[] {
  const tcp = (reader as { config?: { nsqdTCPAddresses?: unknown } }).config?.nsqdTCPAddresses;
  if (!Array.isArray(tcp)) return [];
  return tcp.flatMap((address) => {
    const match = typeof address === 'string' ? /^(.*):(\d+)$/.exec(address) : null;
    return match === null ? [] : [`${match[1]}:${Number(match[2]) + 1}`];
  });
}

const STATS_TIMEOUT_MS = 2_000;

function channelDepth(address: string, topic: string, channel: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    // The topic with all its channels, without their clients: nsqd's `channel` filter would
    // drop the topic from the answer while the channel does not exist yet.
    const url = `http://${address}/stats?format=json&topic=${encodeURIComponent(topic)}&include_clients=false&include_mem=false`;
    const request = get(url, { timeout: STATS_TIMEOUT_MS }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body.length < 1_000_000 ? (body += chunk) : undefined));
      response.on('end', () => {
        try {
          const stats = JSON.parse(body) as NsqdStats;
          // Messages still in the topic's own queue are on their way to every channel: this
          // one's too. Before the reader subscribes its channel does not exist yet, and a topic
          // without channels holds every message for the first one (nsqd's topic pump waits
          // for a channel), so the topic's depth alone is this channel's backlog-to-be: a
          // consumer that starts on a backlog knows it before its first delivery. No such
          // topic: unknown, not empty.
          const topicStats = stats.topics?.find((t) => t.topic_name === topic);
          if (topicStats === undefined) return resolve(undefined);
          const found = topicStats.channels?.find((c) => c.channel_name === channel);
          const topicDepth = typeof topicStats.depth === 'number' ? topicStats.depth : 0;
          resolve(found === undefined ? topicDepth : typeof found.depth === 'number' ? found.depth + topicDepth : undefined);
        } catch {
          resolve(undefined);
        }
      });
      response.on('error', () => resolve(undefined));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
  });
}

/**
 * An NSQ channel's backlog for backlog-aware sampling: its depth on every nsqd the reader
 * reads from, from nsqd's own `/stats` endpoint, asked at most once per poll interval (one
 * small HTTP request per nsqd — no load worth the name), and counted down by each delivery in
 * between. nsqd's HTTP address is its TCP address's port + 1 by default; give
 * `sampling.backlog.backlog` for other setups (nsqlookupd discovery, other ports).
 */
export class ChannelBacklog {
  readonly sampling: BacklogSampling;
  readonly #options: ResolvedBacklogSampling;
  readonly #addresses: string[];
  readonly #topic: string;
  readonly #channel: string;
  #timer: ReturnType<typeof setInterval> | undefined;
  #asking = false;

  constructor(topic: string, channel: string, addresses: string[], options: ResolvedBacklogSampling) {
    this.#options = options;
    this.#addresses = addresses;
    this.#topic = topic;
    this.#channel = channel;
    this.sampling = new BacklogSampling(options, `nsq ${topic}/${channel}`);
    samplingForDestination(topic, this.sampling);
    if (addresses.length === 0 && options.backlog === undefined) {
      diag.warn('tracehop: backlog sampling cannot find nsqd for this reader (nsqlookupd?); give `sampling.backlog.backlog`');
    }
  }

  /** The reader connected: polling starts. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.#poll(), this.#options.pollIntervalMs);
    this.#timer.unref?.();
    this.#poll();
  }

  /** The reader subscribed on an nsqd (its channel now exists there): ask at once. */
  connected(): void {
    this.#poll(true);
  }

  /** A message was delivered: one less waiting, until the next answer says otherwise. */
  delivered(): BacklogSampling {
    this.sampling.delivered();
    return this.sampling;
  }

  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.sampling.close();
  }

  #poll(now = false): void {
    try {
      if (this.#options.backlog !== undefined) {
        const measured = this.#options.backlog();
        if (measured !== undefined) this.sampling.report(measured);
        return;
      }
      if ((this.#asking && !now) || this.#addresses.length === 0) return;
      this.#asking = true;
      void Promise.all(this.#addresses.map((address) => channelDepth(address, this.#topic, this.#channel))).then((depths) => {
        this.#asking = false;
        const known = depths.filter((depth): depth is number => depth !== undefined);
        if (known.length > 0) this.sampling.report(known.reduce((sum, depth) => sum + depth, 0));
      });
    } catch (error) {
      this.#asking = false;
      diag.debug('tracehop: could not measure an NSQ backlog', error);
    }
  }
}
