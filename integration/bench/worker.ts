// One benchmark variant in its own process, so that no variant's patches, spans or garbage
// leak into another's figures. Prints one JSON line: a WorkerResult.
import { kafkaPipeline } from './kafka-pipeline.js';
import { nsqPipeline } from './nsq-pipeline.js';
import type { Pipeline, PipelineOptions } from './pipeline.js';
import { rabbitmqPipeline } from './rabbitmq-pipeline.js';
import { installContextManager, installSdk } from './telemetry.js';
import type { WorkerRequest, WorkerResult } from './variants.js';

const request = JSON.parse(process.argv[2] ?? '{}') as WorkerRequest;
const endpoints = JSON.parse(process.env.BENCH_ENDPOINTS ?? '{}') as PipelineOptions['endpoints'];

const sdk = request.variant === 'tracehop-spans' || request.variant === 'official' ? installSdk() : undefined;
if (request.variant === 'tracehop-nospans') installContextManager();

const factories = { kafka: kafkaPipeline, rabbitmq: rabbitmqPipeline, nsq: nsqPipeline };
const pipeline: Pipeline = await factories[request.broker]({ variant: request.variant, size: request.size, endpoints });

const gc = (globalThis as { gc?: () => void }).gc;
const heapUsed = () => {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
};

const warmup = Math.min(5_000, Math.max(500, Math.floor(request.messages / 10)));
await pipeline.run(warmup);
await sdk?.provider.forceFlush();
const heapAfterWarmupBytes = request.memory ? heapUsed() : undefined;

const started = process.hrtime.bigint();
await pipeline.run(request.messages);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;

await sdk?.provider.forceFlush();
const heapAfterRunBytes = request.memory ? heapUsed() : undefined;
await pipeline.close();
await sdk?.provider.shutdown();

const result: WorkerResult = {
  broker: request.broker,
  variant: request.variant,
  messages: request.messages,
  seconds,
  perSecond: request.messages / seconds,
  spans: sdk?.exporter.exported ?? 0,
  heapAfterWarmupBytes,
  heapAfterRunBytes,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
