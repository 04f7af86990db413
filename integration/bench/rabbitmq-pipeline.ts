import { createRequire } from 'node:module';
import { instrumentChannel } from '@tracehop/amqplib';
import type * as Instrumentation from '@opentelemetry/instrumentation';
import type * as AmqplibInstrumentationModule from '@opentelemetry/instrumentation-amqplib';
import type * as Amqplib from 'amqplib';
import { FIXED_TRACEPARENT, endSends, processRabbitmqMessage, startSend } from './handrolled.js';
import { registerTracehopInstrumentation } from './instrumentation-variant.js';
import { Countdown, payload, type Pipeline, type PipelineOptions } from './pipeline.js';
import { setupOf } from './variants.js';

const require = createRequire(import.meta.url);

export async function rabbitmqPipeline({ variant, size, endpoints }: PipelineOptions): Promise<Pipeline> {
  if (setupOf(variant).official) {
    const { registerInstrumentations } = require('@opentelemetry/instrumentation') as typeof Instrumentation;
    const { AmqplibInstrumentation } = require('@opentelemetry/instrumentation-amqplib') as typeof AmqplibInstrumentationModule;
    registerInstrumentations({ instrumentations: [new AmqplibInstrumentation()] });
  }
  if (setupOf(variant).instrumentation) registerTracehopInstrumentation('rabbitmq');
  const amqp = require('amqplib') as typeof Amqplib;
  const connection = await amqp.connect(endpoints.amqpUrl);
  const { tracehop, spans, handrolled, rawHeader } = setupOf(variant);
  const options = { spans };
  const wrap = (channel: Amqplib.Channel) => (tracehop ? instrumentChannel(channel, options) : channel);
  const publisher = wrap(await connection.createChannel());
  const consumer = wrap(await connection.createChannel());
  const { queue } = await consumer.assertQueue('', { exclusive: true, autoDelete: true });
  await consumer.prefetch(1_000);
  const countdown = new Countdown();
  const handler = (message: Amqplib.ConsumeMessage | null) => {
    if (message === null) return;
    consumer.ack(message);
    countdown.consumed();
  };
  await consumer.consume(
    queue,
    handrolled
      ? (message) => processRabbitmqMessage(queue, message, handler)
      : handler,
  );

  let sent = 0;
  return {
    async run(count) {
      const done = countdown.expect(count);
      for (let i = 0; i < count; i++) {
        const headers: Record<string, unknown> = { 'content-type': 'application/octet-stream' };
        if (rawHeader) headers.traceparent = FIXED_TRACEPARENT;
        const span = handrolled ? startSend(queue, 'rabbitmq', headers, { 'messaging.rabbitmq.destination.routing_key': queue }) : undefined;
        const ok = publisher.sendToQueue(queue, payload(size, sent++), { headers });
        if (span !== undefined) endSends([span]);
        if (!ok) await new Promise((resolve) => publisher.once('drain', resolve));
      }
      await done;
    },
    async close() {
      await connection.close();
    },
  };
}
