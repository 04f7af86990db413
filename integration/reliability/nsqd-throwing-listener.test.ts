// An nsqjs 'message' listener that throws: nsqjs does not catch it, so it is an uncaught
// exception that ends the process — with a raw reader as with a traced one. The traced
// reader must not change that (tracehop rethrows the very error), and nsqd must then redeliver
// the message exactly as for the raw reader (once the dead client's in-flight timeout
// passes): same body, next attempt. Each reader runs in a child process, as the failure ends it.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Writer } from 'nsqjs';
import { instrumentWriter } from '@tracehop/nsqjs';
import { describe, expect, inject, it } from 'vitest';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./support/nsq-listener-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Outcome {
  readonly code: number;
  readonly seen: { body: string; attempts: number } | undefined;
  /** The uncaught error's first line, as Node prints it. */
  readonly error: string | undefined;
}

async function child(variant: string, mode: 'throw' | 'finish', topic: string): Promise<Outcome> {
  const args = ['--conditions=tracehop-source', '--import', 'tsx', CHILD, variant, mode, inject('brokers').nsqdTcpAddress, topic];
  try {
    const { stdout } = await run(process.execPath, args, { cwd: ROOT, timeout: 30_000 });
    return { code: 0, seen: JSON.parse(stdout.trim().split('\n')[0]!), error: undefined };
  } catch (failure) {
    const { code, stdout, stderr } = failure as { code: number; stdout: string; stderr: string };
    const line = stdout.trim().split('\n')[0];
    return { code, seen: line ? JSON.parse(line) : undefined, error: stderr.split('\n').find((l) => l.startsWith('Error:')) };
  }
}

async function publishOne(variant: string, topic: string): Promise<void> {
  const [host, port] = inject('brokers').nsqdTcpAddress.split(':') as [string, string];
  const plain = new Writer(host, Number(port));
  const writer = variant === 'raw' ? plain : instrumentWriter(plain, { propagator: 'tracecontext' });
  await new Promise<void>((resolve, reject) => {
    writer.once('ready', resolve);
    writer.once('error', reject);
    writer.connect();
  });
  await new Promise<void>((resolve, reject) => writer.publish(topic, 'the message', (error) => (error ? reject(error) : resolve())));
  writer.close();
}

/** Resolves once a client is subscribed to `topic` (its channel exists), polling nsqd's /stats. */
async function subscribed(topic: string): Promise<void> {
  for (;;) {
    const response = await fetch(`http://${inject('brokers').nsqdHttpAddress}/stats?format=json&topic=${topic}`);
    // Before the topic exists nsqd answers `topics: null`.
    const stats = (await response.json()) as { topics: Array<{ topic_name: string; channels: Array<{ client_count: number }> | null }> | null };
    if ((stats.topics ?? []).some((t) => t.topic_name === topic && (t.channels ?? []).some((c) => c.client_count > 0))) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function scenario(variant: string) {
  const topic = `reliability-throwing-${randomUUID().slice(0, 8)}`;
  // The message is published once the failing reader is subscribed (nsqd's /stats shows it).
  const failing = child(variant, 'throw', topic);
  await subscribed(topic);
  await publishOne(variant, topic);
  const failed = await failing;
  const redelivered = await child(variant, 'finish', topic);
  return { failed, redelivered };
}

describe('a throwing nsqjs listener: traced against raw', () => {
  it('ends the process with the same uncaught error; nsqd redelivers the same message, next attempt', async () => {
    const raw = await scenario('raw');
    const traced = await scenario('traced');
    expect(raw.failed).toEqual({ code: 1, seen: { body: 'the message', attempts: 1 }, error: 'Error: listener failed' });
    expect(traced.failed).toEqual(raw.failed);
    expect(raw.redelivered).toEqual({ code: 0, seen: { body: 'the message', attempts: 2 }, error: undefined });
    expect(traced.redelivered).toEqual(raw.redelivered);
  }, 120_000);
});
