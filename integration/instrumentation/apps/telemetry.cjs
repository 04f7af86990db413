// What a CommonJS service starts with: `node --require ./telemetry.cjs app.cjs` (or a
// `require('./telemetry.cjs')` as its first line). No loader hook: `require` is patched.
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { AmqplibInstrumentation } = require('@tracehop/amqplib');
const { KafkajsInstrumentation } = require('@tracehop/kafkajs');
const { NsqjsInstrumentation } = require('@tracehop/nsqjs');

const sdk = new NodeSDK({
  instrumentations: [new KafkajsInstrumentation(), new AmqplibInstrumentation(), new NsqjsInstrumentation()],
});
sdk.start();

let stopping;
const stop = () => (stopping ??= sdk.shutdown());
process.once('beforeExit', () => void stop());
process.once('SIGTERM', () => void stop().finally(() => process.exit(0)));
