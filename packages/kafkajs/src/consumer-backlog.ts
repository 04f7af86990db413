import { diag } from '@opentelemetry/api';
import { BacklogSampling, samplingForDestination, type ResolvedBacklogSampling } from '@tracehop/core';
import type { Consumer } from 'kafkajs';

/** The offsets kafkajs reports as strings (or Longs); NaN for anything else. */
function asNumber(value: unknown): number {
  return typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number(String(value));
}

/**
 * A Kafka consumer's backlog for backlog-aware sampling: its lag, summed over the partitions
 * it consumes, from what kafkajs already knows — each fetched batch announces its partition's
 * high watermark (START_BATCH_PROCESS), and each message its own offset — so measuring costs
 * the broker nothing. A partition's lag after a message is `high watermark − 1 − offset`.
 */
export class KafkaBacklog {
  readonly sampling: BacklogSampling;
  readonly #highWatermarks = new Map<string, number>();
  readonly #lags = new Map<string, number>();
  readonly #topics = new Set<string>();
  readonly #measure: (() => number | undefined) | undefined;
  #total = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(consumer: Consumer, options: ResolvedBacklogSampling, label: string) {
    this.sampling = new BacklogSampling(options, label);
    this.#measure = options.backlog;
    if (this.#measure !== undefined) {
      // The application measures the backlog itself: asked at the poll interval, lag unused.
      this.#timer = setInterval(() => this.#poll(), options.pollIntervalMs);
      this.#timer.unref?.();
      this.#poll();
    }
    try {
      const events = consumer.events;
      consumer.on(events.START_BATCH_PROCESS, ({ payload }) => this.#batch(payload.topic, payload.partition, payload.highWatermark));
      const close = () => {
        if (this.#timer !== undefined) clearInterval(this.#timer);
        this.sampling.close();
      };
      consumer.on(events.STOP, close);
      consumer.on(events.DISCONNECT, close);
      consumer.on(events.CRASH, close);
    } catch (error) {
      diag.warn('tracehop: cannot follow this consumer’s lag; backlog sampling keeps every trace', error);
    }
  }

  /** A message is about to be handled: its partition's lag is what is left behind it. */
  seen(topic: string, partition: number, offset: string): BacklogSampling {
    if (!this.#topics.has(topic)) {
      this.#topics.add(topic);
      samplingForDestination(topic, this.sampling);
    }
    if (this.#measure !== undefined) return this.sampling;
    const key = `${topic}\u0000${partition}`;
    const highWatermark = this.#highWatermarks.get(key);
    if (highWatermark !== undefined) this.#setLag(key, highWatermark - 1 - asNumber(offset));
    return this.sampling;
  }

  #poll(): void {
    try {
      const measured = this.#measure!();
      if (measured !== undefined) this.sampling.report(measured);
    } catch (error) {
      diag.debug('tracehop: the backlog function threw', error);
    }
  }

  #batch(topic: unknown, partition: unknown, highWatermark: unknown): void {
    const key = `${String(topic)}\u0000${String(partition)}`;
    const value = asNumber(highWatermark);
    if (Number.isFinite(value)) this.#highWatermarks.set(key, value);
  }

  #setLag(key: string, lag: number): void {
    if (!Number.isFinite(lag)) return;
    const next = Math.max(0, lag);
    this.#total += next - (this.#lags.get(key) ?? 0);
    this.#lags.set(key, next);
    this.sampling.report(this.#total);
  }
}
