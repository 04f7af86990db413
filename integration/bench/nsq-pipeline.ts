import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { decodeEnvelope, encodeEnvelope, instrumentReader, instrumentWriter } from '@tracehop/nsqjs';
import type * as Nsqjs from 'nsqjs';
import { FIXED_TRACEPARENT, endSends, processNsqMessage, startSend } from './handrolled.js';
import { registerTracehopInstrumentation } from './instrumentation-variant.js';
import { Countdown, payload, type Pipeline, type PipelineOptions } from './pipeline.js';
import { setupOf } from './variants.js';

const require = createRequire(import.meta.url);
const BATCH = 250;

export async function nsqPipeline({ variant, size, endpoints }: PipelineOptions): Promise<Pipeline> {
  if (setupOf(variant).instrumentation) registerTracehopInstrumentation('nsq');
  const nsq = require('nsqjs') as typeof Nsqjs;
  const [host, port] = endpoints.nsqdTcpAddress.split(':') as [string, string];
  const topic = `bench-${randomUUID().slice(0, 12)}`;
  const { tracehop, spans, handrolled, rawHeader } = setupOf(variant);
  const options = { spans };
  let writer = new nsq.Writer(host, Number(port));
  if (tracehop) writer = instrumentWriter(writer, options);
  await new Promise<void>((resolve, reject) => {
    writer.once('ready', () => resolve());
    writer.once('error', reject);
    writer.connect();
  });
  // nsqd flushes a consumer's buffered messages every `output_buffer_timeout` (250 ms by
  // default) unless its buffer fills: the last messages of a run waited for that tick, so a
  // run's time was quantised in steps of 250 ms (runs of 0.75, 1.0 or 1.25 s for the same
  // work). 25 ms, nsqd's minimum, keeps that tail small; every variant runs with it.
  let reader = new nsq.Reader(topic, 'bench', {
    nsqdTCPAddresses: [endpoints.nsqdTcpAddress],
    maxInFlight: 1_000,
    outputBufferTimeout: 25,
  });
  if (tracehop) reader = instrumentReader(reader, options);
  const countdown = new Countdown();
  const handler = (message: Nsqjs.Message, _body: Buffer) => {
    message.finish();
    countdown.consumed();
  };
  if (handrolled) {
    reader.on('message', (message) => processNsqMessage(topic, message, handler));
  } else if (rawHeader) {
    reader.on('message', (message) => handler(message, decodeEnvelope(message.body)?.body ?? message.body));
  } else {
    reader.on('message', (message) => handler(message, message.body));
  }
  // Create the topic before the reader subscribes, so the first messages are not dropped.
  await new Promise<void>((resolve, reject) => writer.publish(topic, [Buffer.from('warm')], (error) => (error ? reject(error) : resolve())));
  const warmedUp = countdown.expect(1);
  reader.connect();
  await warmedUp;

  let sent = 0;
  return {
    async run(count) {
      const done = countdown.expect(count);
      for (let offset = 0; offset < count; offset += BATCH) {
        const batch: Buffer[] = [];
        const sends = [];
        for (let i = 0; i < Math.min(BATCH, count - offset); i++) {
          const body = payload(size, sent++);
          if (rawHeader) {
            batch.push(encodeEnvelope(body, { traceparent: FIXED_TRACEPARENT }));
          } else if (handrolled) {
            const headers: Record<string, string> = {};
            sends.push(startSend(topic, 'nsq', headers, { 'server.address': host, 'server.port': Number(port) }));
            batch.push(encodeEnvelope(body, headers));
          } else {
            batch.push(body);
          }
        }
        try {
          await new Promise<void>((resolve, reject) => writer.publish(topic, batch, (error) => (error ? reject(error) : resolve())));
        } finally {
          endSends(sends);
        }
      }
      await done;
    },
    async close() {
      reader.close();
      writer.close();
    },
  };
}
