import type { SpanContext } from '@opentelemetry/api';
import { instrumentReader, instrumentWriter, type NsqReaderLike } from '@tracehop/nsqjs';
import { Reader, Writer } from 'nsqjs';
import { captureActive, Collector, optionsKey, type TracehopSide } from './tracehop-side.js';

/** tracehop's NSQ side: nsqjs 0.13 wrapped by @tracehop/nsqjs (the body envelope). */
export function tracehopNsq(tcpAddress: string, httpAddress: string): TracehopSide {
  const [host, port] = tcpAddress.split(':') as [string, string];
  const writer = new Writer(host, Number(port));
  const ready = new Promise<void>((resolve, reject) => {
    writer.once('ready', () => resolve());
    writer.once('error', reject);
    writer.connect();
  });
  const readers: Reader[] = [];
  // A client is wrapped once, with its first options: one traced writer per set of options,
  // each reporting its spans to whichever publish is in flight.
  const writers: Writer[] = [writer];
  const tracedBy = new Map<string, Promise<Writer>>();
  let onSpan: ((span: SpanContext) => void) | undefined;
  const tracedWriter = (options: object): Promise<Writer> => {
    const key = optionsKey(options);
    let traced = tracedBy.get(key);
    if (traced === undefined) {
      const raw = tracedBy.size === 0 ? writer : new Writer(host, Number(port));
      const wrapped = instrumentWriter(raw, { ...options, publishHook: (span) => onSpan?.(span.spanContext()) });
      if (raw === writer) traced = ready.then(() => wrapped);
      else {
        writers.push(raw);
        traced = new Promise<Writer>((resolve, reject) => {
          raw.once('ready', () => resolve(wrapped));
          raw.once('error', reject);
          raw.connect();
        });
      }
      tracedBy.set(key, traced);
    }
    return traced;
  };
  const topics: string[] = [];

  return {
    broker: 'nsq',
    peerFlags: ['-nsqd', tcpAddress],
    async prepare(topic) {
      topics.push(topic);
    },
    async publish(topic, body, options) {
      let injected: SpanContext | undefined;
      const traced = await tracedWriter(options);
      onSpan = (span) => (injected = span);
      await new Promise<void>((resolve, reject) => traced.publish(topic, body, (error) => (error ? reject(error) : resolve())));
      onSpan = undefined;
      if (injected === undefined) throw new Error('the tracehop NSQ writer made no recording span');
      return injected;
    },
    async consume(topic, options, count, onMessage) {
      const collector = new Collector(count);
      const raw = new Reader(topic, 'tracehop', { nsqdTCPAddresses: [tcpAddress], maxInFlight: 10 });
      // @types/nsqjs does not declare the Reader's `topic` and `channel`, which nsqjs has and
      // NsqReaderLike requires: the intersection states what is true at run time.
      const reader = instrumentReader(raw as Reader & NsqReaderLike, options);
      readers.push(reader);
      reader.on('message', (message) => {
        void (async () => {
          try {
            const received = captureActive(message.body.toString());
            await onMessage?.(received);
            collector.add(received);
            message.finish();
          } catch (error) {
            collector.fail(error);
          }
        })();
      });
      // Subscribed once nsqd has answered the SUB: the channel exists, messages flow from there.
      await new Promise<void>((resolve, reject) => {
        reader.once('ready', () => resolve());
        reader.once('error', reject);
        reader.connect();
      });
      return collector;
    },
    async close() {
      for (const reader of readers) reader.close();
      for (const each of writers) each.close();
      await Promise.allSettled(topics.map((topic) => fetch(`http://${httpAddress}/topic/delete?topic=${topic}`, { method: 'POST' })));
    },
  };
}
