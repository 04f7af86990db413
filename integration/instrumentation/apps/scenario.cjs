// One order through Kafka, RabbitMQ and NSQ, written as an application would: plain client
// code, an application span around each publish and one inside each handler, and not one
// tracehop call. Both apps (app.mjs, app.cjs) load the client libraries their own way and hand
// them here. Each handler prints the trace headers it received as one JSON line.
const { trace } = require('@opentelemetry/api');

const tracer = trace.getTracer('orders-app');
const runId = process.env.RUN_ID ?? String(Date.now());
const TRACE_HEADER = /^(traceparent|tracestate|baggage|b3|x-b3-.*|uber-trace-id)$/i;

function report(broker, headers) {
  const keys = Object.keys(headers ?? {}).filter((key) => TRACE_HEADER.test(key)).sort();
  const traceparent = headers?.traceparent === undefined ? undefined : String(headers.traceparent);
  console.log(JSON.stringify({ broker, headers: keys, ...(traceparent === undefined ? {} : { traceparent }) }));
}

/** Runs `publish` inside the application's own span, as request handling code would. */
function inOrderSpan(broker, publish) {
  return tracer.startActiveSpan(`order ${broker}`, async (span) => {
    try {
      return await publish();
    } finally {
      span.end();
    }
  });
}

function handle(broker) {
  tracer.startActiveSpan(`handle ${broker}`, (span) => span.end());
}

async function kafkaHop({ Kafka, logLevel }) {
  const kafka = new Kafka({ clientId: 'orders-app', brokers: process.env.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
  const topic = `instrumented-${runId}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: `instrumented-${runId}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const handled = new Promise((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        report('kafka', message.headers);
        handle('kafka');
        resolve();
      },
    });
  });
  const producer = kafka.producer();
  await producer.connect();
  await inOrderSpan('kafka', () => producer.send({ topic, messages: [{ value: 'order-1' }] }));
  await handled;
  await producer.disconnect();
  await consumer.disconnect();
}

async function rabbitHop(amqplib) {
  const connection = await amqplib.connect(process.env.AMQP_URL);
  const channel = await connection.createChannel();
  const { queue } = await channel.assertQueue('', { exclusive: true });
  const handled = new Promise((resolve) => {
    void channel.consume(queue, (message) => {
      report('rabbitmq', message.properties.headers);
      handle('rabbitmq');
      channel.ack(message);
      resolve();
    });
  });
  await inOrderSpan('rabbitmq', async () => channel.sendToQueue(queue, Buffer.from('order-1')));
  await handled;
  await connection.close();
}

async function nsqHop({ Reader, Writer }) {
  const [host, port] = process.env.NSQD_TCP_ADDRESS.split(':');
  const topic = `instrumented-${runId}`;
  const reader = new Reader(topic, 'orders', { nsqdTCPAddresses: [process.env.NSQD_TCP_ADDRESS] });
  const handled = new Promise((resolve) => {
    reader.on('message', (message) => {
      // The listener sees the payload it was sent, never tracehop's envelope.
      if (message.body.toString() !== 'order-1') throw new Error(`unexpected body ${message.body.toString('hex')}`);
      handle('nsq');
      message.finish();
      resolve();
    });
  });
  const connected = new Promise((resolve) => reader.once('nsqd_connected', resolve));
  reader.connect();
  await connected;
  const writer = new Writer(host, Number(port));
  const ready = new Promise((resolve) => writer.once('ready', resolve));
  writer.connect();
  await ready;
  await inOrderSpan('nsq', () => new Promise((resolve, reject) => writer.publish(topic, 'order-1', (error) => (error ? reject(error) : resolve()))));
  await handled;
  writer.close();
  reader.close();
}

/** The whole scenario, or only the brokers named in `HOPS` (comma separated). */
async function runScenario(libraries) {
  const hops = (process.env.HOPS ?? 'kafka,rabbitmq,nsq').split(',');
  if (hops.includes('kafka')) await kafkaHop(libraries.kafkajs);
  if (hops.includes('rabbitmq')) await rabbitHop(libraries.amqplib);
  if (hops.includes('nsq')) await nsqHop(libraries.nsqjs);
}

module.exports = { runScenario };
