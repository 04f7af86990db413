// NSQ as production runs it — two nsqd registered with nsqlookupd, readers that find them
// through nsqlookupd — through two faults under load, raw nsqjs as the control beside the
// traced client (tracehop with default options), each on its own topic:
//   1. one nsqd is stopped while writers publish to both and a reader discovers both through
//      nsqlookupd; a publish to the stopped one is retried on the other; then it comes back;
//   2. messages left unfinished are requeued by nsqd's message timeout and delivered again.
// Every message is counted; the traced side must lose nothing (nor the raw one, with these
// settings), every delivery's `process` span must be the child of its message's `send` span
// (redeliveries included), each message must carry one context (the consumer sees the
// payload itself, never an envelope, even after a retried publish), and no span may stay open.
import { randomUUID } from 'node:crypto';
import { Reader, Writer, type Message } from 'nsqjs';
import { instrumentReader, instrumentWriter } from '@tracehop/nsqjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger, Pacer, seenError, sleep, waitUntil } from '../reliability/support/ledger.js';
import { keepConnected, type Reconnector } from '../reliability/support/nsq-reconnect.js';
import { LOOKUPD_HTTP_ADDRESS, clusterDown, clusterUp, nsqdTcpAddress, startNode, stopNode } from './support/cluster.js';
import { ClusterTracing } from './support/traces.js';

const tracing = new ClusterTracing();
const RATE = 200;
const APP_ATTEMPTS = 5;
const MAX_IN_FLIGHT = 50;

type Variant = 'raw' | 'traced';

beforeAll(() => clusterUp('nsq'), 300_000);
afterAll(() => clusterDown('nsq'), 300_000);

/** A writer to one nsqd, reconnected by the application while it is down (nsqjs leaves that to it), one connection at a time. */
class NodeWriter {
  readonly writer: Writer;
  ready = false;
  readonly #reconnect: Reconnector;

  constructor(variant: Variant, node: number, ledger: Ledger) {
    const [host, port] = nsqdTcpAddress(node).split(':') as [string, string];
    const raw = new Writer(host, Number(port));
    this.writer = variant === 'raw' ? raw : instrumentWriter(raw);
    this.writer.on('ready', () => {
      this.ready = true;
      ledger.events.push(`writer ${node} ready`);
    });
    this.writer.on('closed', () => (this.ready = false));
    this.writer.on('error', () => undefined);
    this.#reconnect = keepConnected(this.writer);
  }

  publish(topic: string, body: Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.writer.publish(topic, body, (error) => (error ? reject(error) : resolve())));
  }

  async close(): Promise<void> {
    await this.#reconnect.stop();
    this.writer.close();
  }
}

function reader(variant: Variant, topic: string, ledger: Ledger, options: { messageTimeout?: number }, handle: (message: Message) => void) {
  const raw = new Reader(topic, 'cluster', { lookupdHTTPAddresses: [LOOKUPD_HTTP_ADDRESS], lookupdPollInterval: 1, maxInFlight: MAX_IN_FLIGHT, ...options });
  const wrapped = variant === 'raw' ? raw : instrumentReader(raw);
  wrapped.on('message', (message: Message) => {
    const id = message.body.toString();
    ledger.receive(id);
    // The payload is exactly the id that was published (no envelope left, none doubled): one context.
    if (variant === 'traced') tracing.delivered(id, /^traced:\d+$|^hello-\d$/.test(id) ? 1 : 0);
    handle(message);
  });
  wrapped.on('nsqd_connected', () => ledger.events.push('reader connected'));
  wrapped.on('nsqd_closed', () => ledger.events.push('reader closed'));
  wrapped.on('error', (error: unknown) => ledger.consumerErrors.push(seenError(error)));
  return wrapped;
}

/**
 * Publishes ids at RATE, alternately to nsqd 1 and 2; a publish that fails is retried with the
 * very same body on the other nsqd, then alternately, up to APP_ATTEMPTS.
 */
function startLoad(variant: Variant, writers: readonly NodeWriter[], topic: string, ledger: Ledger, limit = Infinity) {
  let stopped = false;
  let calls = 0;
  const pacer = new Pacer(RATE);
  const loop = (async () => {
    for (let i = 0; !stopped && i < limit; i++) {
      await pacer.next();
      const id = `${variant}:${i}`;
      const body = Buffer.from(id);
      const attempt = async () => {
        for (let n = 0; n < APP_ATTEMPTS; n++) {
          calls++;
          try {
            await writers[(i + n) % writers.length]!.publish(topic, body);
            ledger.acked.add(id);
            return;
          } catch (error) {
            ledger.producerErrors.push(seenError(error));
            if (n > 0) await sleep(200);
          }
        }
        ledger.failed.add(id);
      };
      await (variant === 'traced' ? tracing.sending(id, attempt) : attempt());
    }
  })();
  return {
    calls: () => calls,
    done: loop,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/** Two writers, the topic created on both nsqd (so that nsqlookupd lists both for it) before a reader looks. */
async function writersFor(variant: Variant, topic: string, ledger: Ledger): Promise<NodeWriter[]> {
  const writers = [new NodeWriter(variant, 1, ledger), new NodeWriter(variant, 2, ledger)];
  expect(await waitUntil(() => writers.every((w) => w.ready), 20_000)).toBe(true);
  for (const [i, writer] of writers.entries()) {
    const id = `hello-${i + 1}`;
    await (variant === 'traced' ? tracing.sending(id, () => writer.publish(topic, Buffer.from(id))) : writer.publish(topic, Buffer.from(id)));
    ledger.acked.add(id);
  }
  return writers;
}

const account = (ledger: Ledger) => ({ acked: ledger.acked.size, failed: ledger.failed.size, received: ledger.received.size, lost: ledger.lost().length, redelivered: ledger.duplicates(), failedAttempts: ledger.producerErrors.length });
const deliveriesOf = (ledger: Ledger) => [...ledger.received.values()].reduce((a, b) => a + b, 0);

async function stopSide(variant: Variant) {
  const topic = `cluster-${variant}-${randomUUID().slice(0, 8)}`;
  const ledger = new Ledger(variant);
  const writers = await writersFor(variant, topic, ledger);
  const consumer = reader(variant, topic, ledger, {}, (message) => message.finish());
  consumer.connect();
  return { variant, topic, ledger, writers, consumer, load: startLoad(variant, writers, topic, ledger) };
}

describe('NSQ: two nsqd behind nsqlookupd, failover under traced load', () => {
  it('one nsqd stops while a reader discovers both through nsqlookupd: publishes fail over, nothing lost, traces whole', async () => {
    tracing.reset();
    const sides = [await stopSide('raw'), await stopSide('traced')] as const;
    const [raw, traced] = sides;
    // What each side has seen so far: the message of a wait that timed out.
    const state = () => JSON.stringify(sides.map((s) => ({ variant: s.variant, ...account(s.ledger), calls: s.load.calls(), events: s.ledger.events.slice(-6) })));

    // The reader found both nsqd through nsqlookupd and reads from both.
    expect(await waitUntil(() => sides.every((s) => s.ledger.count('reader connected') === 2 && s.ledger.received.size >= 300), 60_000), state()).toBe(true);
    const before = sides.map((s) => s.ledger.acked.size);
    await stopNode('nsqd', 1);
    // Publishes to nsqd 1 fail and go to nsqd 2; the reader goes on reading nsqd 2.
    expect(await waitUntil(() => sides.every((s, i) => s.ledger.acked.size >= before[i]! + 300 && s.ledger.producerErrors.length > 0), 60_000), state()).toBe(true);
    const receivedWhileDown = sides.map((s) => s.ledger.received.size);
    await startNode('nsqd', 1);
    // nsqd 1 registers again; the reader finds it at its next nsqlookupd poll, and gets what
    // nsqd 1 wrote to disk when it stopped.
    expect(await waitUntil(() => sides.every((s) => s.ledger.count('reader connected') >= 3), 60_000), state()).toBe(true);
    const back = sides.map((s) => s.ledger.acked.size);
    expect(await waitUntil(() => sides.every((s, i) => s.ledger.acked.size >= back[i]! + 200), 60_000), state()).toBe(true);

    await Promise.all(sides.map((s) => s.load.stop()));
    const drained = await waitUntil(() => sides.every((s) => s.ledger.allAckedReceived()), 120_000);
    for (const side of sides) side.consumer.close();
    await Promise.all(sides.flatMap((s) => s.writers.map((w) => w.close())));
    const check = tracing.check(traced.topic);
    console.info(`[cluster] NSQ nsqd stop: raw ${JSON.stringify({ ...account(raw.ledger), receivedWhileDown: receivedWhileDown[0] })} | traced ${JSON.stringify({ ...account(traced.ledger), receivedWhileDown: receivedWhileDown[1] })}; traced publish calls ${traced.load.calls()}, traces ${JSON.stringify({ ...check, problems: check.problems.length })}`);
    console.info(`[cluster] NSQ publish errors: raw ${[...new Set(raw.ledger.producerErrors.map((e) => e.message))].join('; ')} | traced ${[...new Set(traced.ledger.producerErrors.map((e) => e.message))].join('; ')}`);

    expect(drained).toBe(true);
    expect(raw.ledger.lost()).toEqual([]);
    expect(traced.ledger.lost()).toEqual([]);
    expect([raw.ledger.failed.size, traced.ledger.failed.size]).toEqual([0, 0]);
    expect(check.problems.slice(0, 10)).toEqual([]);
    expect(check.deliveries).toBe(deliveriesOf(traced.ledger));
    expect(await tracing.openSpansAfterDrain()).toBe(0);
    // Every attempt (the failed ones first, on the stopped nsqd) is a `send` span of its own.
    expect(tracing.counter.endedNamed(`send ${traced.topic}`)).toBe(traced.load.calls() + 2);
    // …those that failed with ERROR, one per failed attempt.
    expect(Object.values(tracing.counter.errorsOf(`send ${traced.topic}`)).reduce((a, b) => a + b, 0)).toBe(traced.ledger.producerErrors.length);
    expect(tracing.counter.endedNamed(`process ${traced.topic}`)).toBe(check.deliveries);
  }, 600_000);

  it('messages left unfinished are requeued by the message timeout: delivered again, traced to their sends, no span open', async () => {
    tracing.reset();
    const MESSAGES = 200;
    const results = [];
    for (const variant of ['raw', 'traced'] as const) {
      const topic = `cluster-timeout-${variant}-${randomUUID().slice(0, 8)}`;
      const ledger = new Ledger(variant);
      const writers = await writersFor(variant, topic, ledger);
      const left = new Set<string>();
      const again = new Map<string, number>();
      // Every tenth message is left alone on its first attempt: nsqd's timeout (1 s, its minimum) requeues it.
      const consumer = reader(variant, topic, ledger, { messageTimeout: 1_000 }, (message) => {
        const id = message.body.toString();
        const index = Number(id.split(':')[1]);
        if (message.attempts === 1 && index % 10 === 0) return void left.add(id);
        if (message.attempts > 1) again.set(id, message.attempts);
        message.finish();
      });
      consumer.connect();
      const load = startLoad(variant, writers, topic, ledger, MESSAGES);
      await load.done;
      const drained = await waitUntil(() => ledger.allAckedReceived() && again.size >= left.size, 60_000);
      consumer.close();
      await Promise.all(writers.map((w) => w.close()));
      results.push({ variant, topic, ledger, left, again, drained, calls: load.calls() });
    }
    const [raw, traced] = results as [(typeof results)[number], (typeof results)[number]];
    const check = tracing.check(traced.topic);
    console.info(`[cluster] NSQ timeout requeue: raw ${JSON.stringify({ ...account(raw.ledger), leftToTimeOut: raw.left.size, deliveredAgain: raw.again.size })} | traced ${JSON.stringify({ ...account(traced.ledger), leftToTimeOut: traced.left.size, deliveredAgain: traced.again.size })}; traces ${JSON.stringify({ ...check, problems: check.problems.length })}; traced process span errors ${JSON.stringify(tracing.counter.errorsOf(`process ${traced.topic}`))}`);

    for (const side of results) {
      expect(side.drained).toBe(true);
      expect(side.ledger.lost()).toEqual([]);
      expect(side.left.size).toBe(MESSAGES / 10);
      // Exactly the messages left unfinished came again, as attempt 2.
      expect([...side.again.keys()].sort()).toEqual([...side.left].sort());
      expect([...side.again.values()].every((attempts) => attempts === 2)).toBe(true);
      expect(side.ledger.duplicates()).toBe(MESSAGES / 10);
    }
    expect(check.redeliveries).toBe(MESSAGES / 10);
    expect(check.problems.slice(0, 10)).toEqual([]);
    expect(check.deliveries).toBe(deliveriesOf(traced.ledger));
    // The timed-out attempts' spans ended too.
    expect(await tracing.openSpansAfterDrain()).toBe(0);
    expect(tracing.counter.endedNamed(`send ${traced.topic}`)).toBe(traced.calls + 2);
    expect(tracing.counter.endedNamed(`process ${traced.topic}`)).toBe(check.deliveries);
  }, 600_000);
});
