import { randomUUID } from 'node:crypto';
import { Reader, Writer } from 'nsqjs';
import { expect, inject, it } from 'vitest';

const { nsqdTcpAddress, nsqdHttpAddress } = inject('brokers');
const [host, port] = nsqdTcpAddress.split(':') as [string, string];

it('carries a message through the real nsqd', async () => {
  const topic = `smoke-${randomUUID().slice(0, 8)}`;
  const writer = new Writer(host, Number(port));
  await new Promise<void>((resolve, reject) => {
    writer.once('ready', () => resolve());
    writer.once('error', reject);
    writer.connect();
  });
  await new Promise<void>((resolve, reject) => writer.publish(topic, 'hello nsq', (error) => (error ? reject(error) : resolve())));
  const reader = new Reader(topic, 'smoke', { nsqdTCPAddresses: [nsqdTcpAddress] });
  const body = await new Promise<string>((resolve) => {
    reader.on('message', (message) => {
      message.finish();
      resolve(message.body.toString());
    });
    reader.connect();
  });
  expect(body).toBe('hello nsq');
  const info = (await (await fetch(`http://${nsqdHttpAddress}/info`)).json()) as { version: string };
  expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
  reader.close();
  writer.close();
});
