// A CommonJS service that runs tracehop's instrumentations next to the official kafkajs and
// amqplib ones (what happens when both are left enabled), in the order INSTRUMENTATION_ORDER
// says: `official-first` or `tracehop-first`. Start: node --require ./telemetry-both.cjs app.cjs
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { AmqplibInstrumentation: OfficialAmqplib } = require('@opentelemetry/instrumentation-amqplib');
const { KafkaJsInstrumentation: OfficialKafkajs } = require('@opentelemetry/instrumentation-kafkajs');
const { AmqplibInstrumentation } = require('@tracehop/amqplib');
const { KafkajsInstrumentation } = require('@tracehop/kafkajs');

const official = [new OfficialKafkajs(), new OfficialAmqplib()];
const tracehop = [new KafkajsInstrumentation(), new AmqplibInstrumentation()];
const sdk = new NodeSDK({
  instrumentations: process.env.INSTRUMENTATION_ORDER === 'tracehop-first' ? [...tracehop, ...official] : [...official, ...tracehop],
});
sdk.start();

let stopping;
const stop = () => (stopping ??= sdk.shutdown());
process.once('beforeExit', () => void stop());
process.once('SIGTERM', () => void stop().finally(() => process.exit(0)));
