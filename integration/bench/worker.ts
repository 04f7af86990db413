// One benchmark variant in its own process, so that no variant's patches, spans or garbage
// leak into another's figures. Prints one JSON line: a WorkerResult.
import { ROOT_CONTEXT, TraceFlags, context, trace } from '@opentelemetry/api';
import { attribute, profileDuring, type Attribution } from './cpu-profile.js';
import { kafkaPipeline } from './kafka-pipeline.js';
import { nsqPipeline } from './nsq-pipeline.js';
import type { Pipeline, PipelineOptions } from './pipeline.js';
import { rabbitmqPipeline } from './rabbitmq-pipeline.js';
import { installContextManager, installMeterSdk, installSdk } from './telemetry.js';
import { WITH_METRICS, type WorkerRequest, type WorkerResult } from './variants.js';

const request = JSON.parse(process.argv[2] ?? '{}') as WorkerRequest;
const endpoints = JSON.parse(process.env.BENCH_ENDPOINTS ?? '{}') as PipelineOptions['endpoints'];

const withSpans = ['tracehop-spans', 'tracehop-spans-metrics', 'tracehop-instrumentation', 'handrolled', 'official', 'official-metrics'];
const sdk = withSpans.includes(request.variant) ? installSdk() : undefined;
if (['tracehop-nospans', 'tracehop-metrics', 'raw-context', 'raw-header'].includes(request.variant)) installContextManager();
const meterSdk = WITH_METRICS.includes(request.variant) ? installMeterSdk() : undefined;

const factories = { kafka: kafkaPipeline, rabbitmq: rabbitmqPipeline, nsq: nsqPipeline };
const pipeline: Pipeline = await factories[request.broker]({ variant: request.variant, size: request.size, endpoints });

/**
 * Messages are produced inside a traced request, as they are in a traced service: a sampled
 * span context from upstream is active, so every variant that propagates writes and reads a
 * `traceparent` per message (in propagate-only mode too), and spans have a parent.
 */
const upstream = trace.setSpanContext(ROOT_CONTEXT, {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceFlags: TraceFlags.SAMPLED,
  isRemote: true,
});
const produce = (count: number) => context.with(upstream, () => pipeline.run(count));

const gc = (globalThis as { gc?: () => void }).gc;
const heapUsed = () => {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
};

// Long enough for every variant's hot paths to be optimised (and the SDK's export batches to
// cycle) before the clock starts: a quarter of the run, between 2 000 and 10 000 messages.
const warmup = Math.min(10_000, Math.max(2_000, Math.floor(request.messages / 4)));
await produce(warmup);
await sdk?.provider.forceFlush();
const heapAfterWarmupBytes = request.memory ? heapUsed() : undefined;

const started = process.hrtime.bigint();
const cpuBefore = process.cpuUsage();
let attribution: Attribution | undefined;
if (request.profile) {
  const { profile } = await profileDuring(() => produce(request.messages));
  attribution = attribute(profile, request.messages);
} else {
  await produce(request.messages);
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const cpu = process.cpuUsage(cpuBefore);

await sdk?.provider.forceFlush();
const heapAfterRunBytes = request.memory ? heapUsed() : undefined;
await pipeline.close();
await sdk?.provider.shutdown();
await meterSdk?.shutdown();

const result: WorkerResult = {
  broker: request.broker,
  variant: request.variant,
  messages: request.messages,
  seconds,
  perSecond: request.messages / seconds,
  cpuMicrosPerMessage: (cpu.user + cpu.system) / request.messages,
  spans: sdk?.exporter.exported ?? 0,
  heapAfterWarmupBytes,
  heapAfterRunBytes,
  attribution,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
