// Service 2: billing consumes orders from Kafka and publishes an invoice to RabbitMQ.
import { instrumentChannel } from '@tracehop/amqplib';
import { instrumentConsumer } from '@tracehop/kafkajs';
import { connect } from 'amqplib';
import { Kafka, logLevel } from 'kafkajs';
import { env, headersAsText, inboundFor, report, stopRequested } from './protocol.js';
import { startTelemetry } from './telemetry.js';

const service = 'billing';
const telemetry = startTelemetry(service);
const kafka = new Kafka({ clientId: service, brokers: env.kafkaBrokers, logLevel: logLevel.NOTHING });
const groupId = `demo-billing-${env.runId}`;

// A fresh group that starts at the end of the topic: earlier runs' orders are not replayed.
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 1 }], waitForLeaders: true });
const offsets = await admin.fetchTopicOffsets('orders');
await admin.setOffsets({ groupId, topic: 'orders', partitions: offsets.map(({ partition, high }) => ({ partition, offset: high })) });
await admin.disconnect();

const connection = await connect(env.amqpUrl);
const channel = instrumentChannel(await connection.createChannel());
await channel.assertQueue('invoices', { durable: false });

// A short fetch wait keeps shutdown quick (a disconnect waits for the fetch in flight).
const consumer = instrumentConsumer(kafka.consumer({ groupId, maxWaitTimeInMs: 250 }), { inbound: inboundFor(service) });
await consumer.connect();
await consumer.subscribe({ topic: 'orders' });
await consumer.run({
  eachMessage: async ({ topic, message }) => {
    report({ type: 'hop', service, broker: 'kafka', destination: topic, headers: headersAsText(message.headers) });
    const order = JSON.parse(message.value!.toString()) as { orderId: string };
    await new Promise((resolve) => setTimeout(resolve, 15)); // pretend to charge the card
    channel.sendToQueue('invoices', Buffer.from(JSON.stringify({ ...order, amount: 42 })), { headers: { 'x-invoice': 'v1' } });
  },
});
report({ type: 'ready', service });

await stopRequested();
await consumer.disconnect();
await connection.close();
await telemetry.shutdown();
