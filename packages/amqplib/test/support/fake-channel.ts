// Broker-free stand-ins for amqplib's channel and connection, with the same method shapes
// (promise API), recording what tracehop hands them. For unit tests of the wrappers only;
// everything that touches a broker is tested against the real one in integration/amqplib.
import { EventEmitter } from 'node:events';

export type Handler = (message: unknown) => unknown;

export interface FakeMessage {
  fields: { deliveryTag: number; exchange: string; routingKey: string; consumerTag?: string; redelivered: boolean };
  properties: { headers?: Record<string, unknown>; messageId?: string; correlationId?: string };
  content: Buffer;
}

export function fakeMessage(deliveryTag: number, headers?: Record<string, unknown>, routingKey = 'q'): FakeMessage {
  return {
    fields: { deliveryTag, exchange: '', routingKey, consumerTag: 'ctag', redelivered: false },
    properties: { headers },
    content: Buffer.from(`m${deliveryTag}`),
  };
}

export class FakeChannel extends EventEmitter {
  readonly connection = { stream: { remoteAddress: '10.1.2.3', remotePort: 5673 } };
  readonly published: unknown[][] = [];
  readonly settled: unknown[][] = [];
  readonly handlers = new Map<string, Handler>();
  publishResult = true;
  nextGet: unknown = false;

  publish(...args: unknown[]): boolean {
    this.published.push(args);
    return this.publishResult;
  }

  sendToQueue(queue: string, content: Buffer, options?: unknown): boolean {
    return this.publish('', queue, content, options);
  }

  consume(queue: string, handler: Handler, _options?: unknown): Promise<{ consumerTag: string }> {
    this.handlers.set(queue, handler);
    return Promise.resolve({ consumerTag: 'ctag' });
  }

  deliver(queue: string, message: unknown): unknown {
    return this.handlers.get(queue)!(message);
  }

  get(_queue: string, _options?: unknown): Promise<unknown> {
    return Promise.resolve(this.nextGet);
  }

  ack(message: FakeMessage, allUpTo?: boolean): void {
    this.settled.push(['ack', message.fields.deliveryTag, allUpTo]);
  }

  nack(message: FakeMessage, allUpTo?: boolean, requeue?: boolean): void {
    this.settled.push(['nack', message.fields.deliveryTag, allUpTo, requeue]);
  }

  reject(message: FakeMessage, requeue?: boolean): void {
    this.settled.push(['reject', message.fields.deliveryTag, requeue]);
  }

  ackAll(): void {
    this.settled.push(['ackAll']);
  }

  nackAll(requeue?: boolean): void {
    this.settled.push(['nackAll', requeue]);
  }

  assertQueue(queue: string): Promise<{ queue: string; self: unknown }> {
    return Promise.resolve({ queue, self: this });
  }

  close(): Promise<void> {
    this.emit('close');
    return Promise.resolve();
  }
}

/** A confirm channel: publish takes a callback that the test confirms by hand. */
export class FakeConfirmChannel extends FakeChannel {
  readonly confirms: unknown[] = [];

  override publish(...args: unknown[]): boolean {
    const result = super.publish(...args.slice(0, 4));
    this.confirms.push(args[4]);
    return result;
  }

  confirm(index: number, error: Error | null): void {
    const callback = this.confirms[index];
    if (typeof callback === 'function') callback(error);
  }

  waitForConfirms(): Promise<void> {
    return Promise.resolve();
  }
}

/** The promise API's connection: createChannel resolves to a new fake channel. */
export class FakeConnection extends EventEmitter {
  readonly created: FakeChannel[] = [];

  createChannel(): Promise<FakeChannel> {
    const channel = new FakeChannel();
    this.created.push(channel);
    return Promise.resolve(channel);
  }

  createConfirmChannel(): Promise<FakeConfirmChannel> {
    const channel = new FakeConfirmChannel();
    this.created.push(channel);
    return Promise.resolve(channel);
  }
}

/** The callback API's connection: the channel comes back at once and in the callback. */
export class FakeCallbackConnection extends EventEmitter {
  createChannel(options?: unknown, callback?: (error: Error | null, channel?: FakeChannel) => void): FakeChannel {
    const done = typeof options === 'function' ? (options as typeof callback) : callback;
    const channel = new FakeChannel();
    queueMicrotask(() => done?.(null, channel));
    return channel;
  }

  createConfirmChannel(options?: unknown, callback?: (error: Error | null, channel?: FakeConfirmChannel) => void): this {
    const done = typeof options === 'function' ? (options as typeof callback) : callback;
    queueMicrotask(() => done?.(null, new FakeConfirmChannel()));
    return this;
  }
}
