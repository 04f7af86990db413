import { randomUUID } from 'node:crypto';
import { Reader, Writer } from 'nsqjs';
import * as tracehop from '@tracehop/nsqjs';
import { inject } from 'vitest';
import type { AdapterDriver, AdapterModule, ContractOptions, Pipe } from '../driver.js';

function tcp(): { host: string; port: number; address: string } {
  const address = inject('brokers').nsqdTcpAddress;
  const [host, port] = address.split(':');
  return { host: host!, port: Number(port), address };
}

function connectWriter(writer: Writer): Promise<void> {
  return new Promise((resolve, reject) => {
    writer.once('ready', () => resolve());
    writer.once('error', reject);
    writer.connect();
  });
}

export const nsqjsDriver: AdapterDriver = {
  name: 'nsqjs',
  packageName: '@tracehop/nsqjs',
  userHeaders: false,
  explicitSettlement: true,
  processSpanName: (pipe) => `process ${(pipe as NsqPipe).topic}`,
  async open(options: ContractOptions, module: AdapterModule = tracehop as unknown as AdapterModule): Promise<Pipe> {
    const instrumentWriter = module.instrumentWriter as typeof tracehop.instrumentWriter;
    const instrumentReader = module.instrumentReader as typeof tracehop.instrumentReader;
    const { host, port, address } = tcp();
    const topic = `contract-${randomUUID()}`.slice(0, 64);
    const rawWriter = new Writer(host, port);
    const rawReader = new Reader(topic, 'contract', { nsqdTCPAddresses: [address] });
    const writer = instrumentWriter(rawWriter, options as never);
    await connectWriter(writer);
    const reader = instrumentReader(rawReader, options as never);
    return new NsqPipe(topic, writer, reader, [rawWriter, rawReader]);
  },
};

class NsqPipe implements Pipe {
  constructor(
    readonly topic: string,
    readonly writer: Writer,
    readonly reader: Reader,
    readonly raw: [Writer, Reader],
  ) {}

  rewrap(module: AdapterModule): boolean {
    const writer = (module.instrumentWriter as typeof tracehop.instrumentWriter)(this.raw[0]);
    const reader = (module.instrumentReader as typeof tracehop.instrumentReader)(this.raw[1]);
    return writer === this.writer && reader === this.reader;
  }

  publish(payload: string): Promise<void> {
    return new Promise((resolve, reject) => this.writer.publish(this.topic, payload, (error) => (error ? reject(error) : resolve())));
  }

  async consume(handler: Parameters<Pipe['consume']>[0]): Promise<void> {
    this.reader.on('message', (message) => {
      const result = handler({ payload: message.body.toString(), settle: () => message.finish() });
      if (result instanceof Promise) result.catch(() => undefined);
    });
    const ready = new Promise<void>((resolve) => this.reader.once('nsqd_connected', () => resolve()));
    this.reader.connect();
    await ready;
  }

  async captureRawHeaders(publish: () => Promise<void>): Promise<Record<string, string>> {
    const { address } = tcp();
    const raw = new Reader(this.topic, `raw-${randomUUID().slice(0, 8)}`, { nsqdTCPAddresses: [address] });
    const seen = new Promise<Record<string, string>>((resolve) => {
      raw.on('message', (message) => {
        message.finish();
        resolve({ ...(tracehop.decodeEnvelope(message.body)?.headers ?? {}) });
      });
    });
    const ready = new Promise<void>((resolve) => raw.once('nsqd_connected', () => resolve()));
    raw.connect();
    await ready;
    await publish();
    const headers = await seen;
    raw.close();
    return headers;
  }

  async close(): Promise<void> {
    this.reader.close();
    this.writer.close();
    await Promise.resolve();
  }
}
