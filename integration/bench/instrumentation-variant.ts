// The `tracehop-instrumentation` variant: tracehop's drop-in instrumentation for the broker's
// client library, registered the way NodeSDK users register it, before the pipeline loads the
// library. The pipeline then wraps nothing: every client it creates is traced by the
// instrumentation (with its default options: spans on, as `tracehop-spans`).
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { AmqplibInstrumentation } from '@tracehop/amqplib';
import { KafkajsInstrumentation } from '@tracehop/kafkajs';
import { NsqjsInstrumentation } from '@tracehop/nsqjs';
import type { Broker } from './variants.js';

export function registerTracehopInstrumentation(broker: Broker): void {
  const instrumentation =
    broker === 'kafka' ? new KafkajsInstrumentation() : broker === 'rabbitmq' ? new AmqplibInstrumentation() : new NsqjsInstrumentation();
  registerInstrumentations({ instrumentations: [instrumentation] });
}
