import type { Variant } from './variants.js';

/** A producer and a consumer connected through one broker. */
export interface Pipeline {
  /** Produces `count` messages and resolves once the consumer has processed all of them. */
  run(count: number): Promise<void>;
  close(): Promise<void>;
}

export interface PipelineOptions {
  readonly variant: Variant;
  readonly size: number;
  readonly endpoints: { kafkaBrokers: string[]; amqpUrl: string; nsqdTcpAddress: string };
}

/** Resolves when `consumed()` has reached the target set by `expect()`. */
export class Countdown {
  #count = 0;
  #target = 0;
  #resolve: (() => void) | undefined;

  expect(more: number): Promise<void> {
    this.#target += more;
    return new Promise((resolve) => {
      this.#resolve = resolve;
      this.#check();
    });
  }

  consumed(): void {
    this.#count++;
    this.#check();
  }

  #check(): void {
    if (this.#resolve !== undefined && this.#count >= this.#target) {
      const resolve = this.#resolve;
      this.#resolve = undefined;
      resolve();
    }
  }
}

/** A payload of `size` bytes, different per message as real payloads are. */
export function payload(size: number, index: number): Buffer {
  const buffer = Buffer.alloc(size, 0x61);
  buffer.writeUInt32BE(index >>> 0, 0);
  return buffer;
}
