// What an ESM service starts with: `node --import ./telemetry.mjs app.mjs`. The loader hook
// lets the instrumentations patch modules that are `import`ed; NodeSDK exports over OTLP as
// the standard OTEL_* variables say. Nothing here knows about the test.
import { register } from 'node:module';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { AmqplibInstrumentation } from '@tracehop/amqplib';
import { KafkajsInstrumentation } from '@tracehop/kafkajs';
import { NsqjsInstrumentation } from '@tracehop/nsqjs';

register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);

const sdk = new NodeSDK({
  instrumentations: [new KafkajsInstrumentation(), new AmqplibInstrumentation(), new NsqjsInstrumentation()],
});
sdk.start();

// Flush before the process goes: when the app is done, or when it is told to stop.
let stopping;
const stop = () => (stopping ??= sdk.shutdown());
process.once('beforeExit', () => void stop());
process.once('SIGTERM', () => void stop().finally(() => process.exit(0)));
