// Service 4: the notifier consumes shipments from NSQ and tells the customer.
import { trace } from '@opentelemetry/api';
import { instrumentReader } from '@tracehop/nsqjs';
import { Reader } from 'nsqjs';
import { env, inboundFor, report, stopRequested } from './protocol.js';
import { startTelemetry } from './telemetry.js';

const service = 'notifier';
const telemetry = startTelemetry(service);
const nsqd = `http://${env.nsqdHttpAddress}`;
// The topic and channel exist before the first publish, and hold nothing from an earlier run.
for (const path of ['/topic/create?topic=shipments', '/channel/create?topic=shipments&channel=notifier', '/channel/empty?topic=shipments&channel=notifier']) {
  const response = await fetch(nsqd + path, { method: 'POST' });
  if (!response.ok) throw new Error(`nsqd ${path}: ${response.status}`);
}

const reader = instrumentReader(new Reader('shipments', 'notifier', { nsqdTCPAddresses: [env.nsqdTcpAddress] }), {
  inbound: inboundFor(service),
  // The hook sees the envelope's headers: shown by the demo as what travelled on this hop.
  consumeHook: (_span, { headers }) =>
    report({ type: 'hop', service, broker: 'nsq', destination: 'shipments', headers: { ...(headers ?? {}) } }),
});
reader.on('message', async (message) => {
  const shipment = message.json() as { orderId: string };
  await trace.getTracer('demo').startActiveSpan('notify customer', async (span) => {
    await new Promise((resolve) => setTimeout(resolve, 10)); // pretend to send an e-mail
    span.end();
  });
  message.finish();
  report({ type: 'done', service, orderId: shipment.orderId });
});
reader.connect();
await new Promise<void>((resolve) => reader.once('nsqd_connected', () => resolve()));
report({ type: 'ready', service });

await stopRequested();
reader.close();
await telemetry.shutdown();
