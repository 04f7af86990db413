import { diag } from '@opentelemetry/api';
import { BacklogSampling, isThenable, samplingForDestination, type ResolvedBacklogSampling } from '@tracehop/core';

/** What probes a queue's depth: a channel of its own (a failed check closes a channel). */
export type ProbeChannelFactory = () => unknown;

interface ProbeChannel {
  checkQueue(queue: string): PromiseLike<{ messageCount?: unknown }>;
  close(): unknown;
  once?(event: string, listener: () => void): unknown;
}

/**
 * A RabbitMQ queue's backlog for backlog-aware sampling: its ready-message count, asked with
 * `checkQueue` at most once per poll interval on a channel of tracehop's own (a check of a
 * deleted queue closes the channel it runs on — never the application's), and counted down by
 * each delivery in between. Ready messages are what a consumer with a prefetch limit has not
 * been sent yet: without a prefetch limit RabbitMQ pushes the whole queue to the client at
 * once, and the broker's count says little (docs/sampling.md).
 */
export class QueueBacklog {
  readonly sampling: BacklogSampling;
  readonly #queue: string;
  readonly #options: ResolvedBacklogSampling;
  readonly #openProbe: ProbeChannelFactory | undefined;
  readonly #timer: ReturnType<typeof setInterval>;
  #probe: Promise<ProbeChannel | undefined> | undefined;
  #asking = false;

  constructor(queue: string, destination: string, options: ResolvedBacklogSampling, openProbe: ProbeChannelFactory | undefined) {
    this.#queue = queue;
    this.#options = options;
    this.#openProbe = openProbe;
    this.sampling = new BacklogSampling(options, `rabbitmq queue ${queue}`);
    samplingForDestination(destination, this.sampling);
    if (openProbe === undefined && options.backlog === undefined) {
      diag.warn('tracehop: backlog sampling on a channel wrapped alone cannot ask RabbitMQ for the queue depth; wrap the connection (instrumentConnection) or give `sampling.backlog.backlog`');
    }
    this.#timer = setInterval(() => this.#poll(), options.pollIntervalMs);
    this.#timer.unref?.();
    this.#poll();
  }

  /** A message was delivered: one less ready, until the next answer says otherwise. */
  delivered(): BacklogSampling {
    this.sampling.delivered();
    return this.sampling;
  }

  close(): void {
    clearInterval(this.#timer);
    void this.#probe?.then((probe) => probe?.close()).then(undefined, () => undefined);
    this.#probe = undefined;
    this.sampling.close();
  }

  #poll(): void {
    try {
      if (this.#options.backlog !== undefined) {
        const measured = this.#options.backlog();
        if (measured !== undefined) this.sampling.report(measured);
        return;
      }
      if (this.#openProbe === undefined || this.#asking) return;
      this.#asking = true;
      const probe = (this.#probe ??= this.#open());
      probe
        .then((channel) => channel?.checkQueue(this.#queue))
        .then(
          (answer) => {
            const count = answer?.messageCount;
            if (typeof count === 'number') this.sampling.report(count);
          },
          () => {
            // The probe channel is gone (the queue was deleted, the connection dropped): a new one next time.
            this.#probe = undefined;
          },
        )
        .then(() => (this.#asking = false));
    } catch (error) {
      this.#asking = false;
      diag.debug('tracehop: could not measure a RabbitMQ backlog', error);
    }
  }

  async #open(): Promise<ProbeChannel | undefined> {
    const opened = this.#openProbe!();
    if (!isThenable(opened)) return undefined;
    const channel = (await opened) as ProbeChannel;
    channel.once?.('close', () => (this.#probe = undefined));
    // A broker error on the probe (404 for a deleted queue) must not become an unhandled 'error'.
    (channel as { on?: (event: string, listener: () => void) => unknown }).on?.('error', () => undefined);
    return channel;
  }
}
