// Service 1: a checkout starts the trace and sends the order to Kafka.
import { context, propagation, trace } from '@opentelemetry/api';
import { instrumentProducer } from '@tracehop/kafkajs';
import { Kafka, logLevel } from 'kafkajs';
import { env } from './protocol.js';
import { startTelemetry } from './telemetry.js';

const telemetry = startTelemetry('checkout');
const kafka = new Kafka({ clientId: 'checkout', brokers: env.kafkaBrokers, logLevel: logLevel.NOTHING });
const producer = instrumentProducer(kafka.producer());
await producer.connect();

const orderId = `order-${env.runId}`;
await trace.getTracer('demo').startActiveSpan('checkout', async (span) => {
  span.setAttribute('order.id', orderId);
  const baggage = propagation.createBaggage({ 'order.id': { value: orderId }, 'customer.tier': { value: 'gold' } });
  await context.with(propagation.setBaggage(context.active(), baggage), () =>
    producer.send({
      topic: 'orders',
      messages: [{ key: orderId, value: JSON.stringify({ orderId, items: 3 }), headers: { 'x-order-source': 'web' } }],
    }),
  );
  span.end();
});

await producer.disconnect();
await telemetry.shutdown();
