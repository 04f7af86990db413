// Service 3: shipping consumes invoices from RabbitMQ and publishes a shipment to NSQ.
import { instrumentChannel } from '@tracehop/amqplib';
import { instrumentWriter } from '@tracehop/nsqjs';
import { connect } from 'amqplib';
import { Writer } from 'nsqjs';
import { env, headersAsText, inboundFor, report, stopRequested } from './protocol.js';
import { startTelemetry } from './telemetry.js';

const service = 'shipping';
const telemetry = startTelemetry(service);
const [host, port] = env.nsqdTcpAddress.split(':') as [string, string];
const writer = instrumentWriter(new Writer(host, Number(port)));
await new Promise<void>((resolve, reject) => {
  writer.once('ready', () => resolve());
  writer.once('error', reject);
  writer.connect();
});

const connection = await connect(env.amqpUrl);
const channel = instrumentChannel(await connection.createChannel(), { inbound: inboundFor(service) });
await channel.assertQueue('invoices', { durable: false });
await channel.purgeQueue('invoices'); // nothing left over from an earlier run
await channel.consume('invoices', (message) => {
  if (message === null) return;
  report({ type: 'hop', service, broker: 'rabbitmq', destination: 'invoices', headers: headersAsText(message.properties.headers) });
  const invoice = JSON.parse(message.content.toString()) as { orderId: string };
  writer.publish('shipments', JSON.stringify({ ...invoice, carrier: 'parcel' }), (error) => {
    if (error) channel.nack(message);
    else channel.ack(message);
  });
});
report({ type: 'ready', service });

await stopRequested();
await connection.close();
writer.close();
await telemetry.shutdown();
