// `pnpm sampling:plot`: a real run of backlog-aware sampling on nsqd, drawn as an SVG for
// docs/sampling.md. A producer outpaces a traced consumer for a few seconds (the backlog
// builds), then stops (it drains), then trickles; every 200 ms the run records the backlog the
// consumer measured, its sampling rate, and how many process spans it exported per second.
//   node --conditions=tracehop-source --import tsx integration/sampling/plot.ts [out.svg]
import { writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { ROOT_CONTEXT, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { samplingOf } from '@tracehop/core';
import { instrumentReader, instrumentWriter } from '@tracehop/nsqjs';
import { Reader, Writer } from 'nsqjs';
import { renderChart } from './plot-svg.js';

const [host, port] = (process.env.NSQD_TCP_ADDRESS ?? '127.0.0.1:4150').split(':') as [string, string];
const out = process.argv[2] ?? 'docs/sampling-run.svg';
const CAPACITY = 300;
const PHASES = [
  { until: 4, perSecond: 700 }, // faster than the consumer: the backlog builds
  { until: 12, perSecond: 0 }, // nothing new: it drains
  { until: 15, perSecond: 50 }, // a trickle: everything traced again
];
const SECONDS = PHASES.at(-1)!.until;

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
let processed = 0;
const counter: SpanProcessor = {
  onStart: () => undefined,
  onEnd: (span: ReadableSpan) => (span.name.startsWith('process ') ? processed++ : undefined),
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};
const provider = new BasicTracerProvider({ spanProcessors: [counter] });
const tracer = provider.getTracer('plot');
const topic = `sampling-plot-${randomUUID()}`.slice(0, 60);

const writer = instrumentWriter(new Writer(host, Number(port)), { tracerProvider: provider });
await new Promise<void>((resolve, reject) => {
  writer.once('ready', () => resolve());
  writer.once('error', reject);
  writer.connect();
});
const reader = instrumentReader(new Reader(topic, 'plot', { nsqdTCPAddresses: [`${host}:${port}`], maxInFlight: 1 }), {
  tracerProvider: provider,
  sampling: { backlog: { capacity: CAPACITY, pollIntervalMs: 200 } },
});
// The consumer's work: a few ms per message, one at a time: some 300 messages a second.
reader.on('message', (message) => setTimeout(() => message.finish(), 2));
reader.connect();
await new Promise((resolve) => reader.once('nsqd_connected', resolve));

const started = Date.now();
const elapsed = () => (Date.now() - started) / 1000;
const samples: Array<{ t: number; backlog: number; rate: number; spans: number }> = [];
let lastProcessed = 0;
const sampler = setInterval(() => {
  const sampling = samplingOf(topic);
  samples.push({ t: elapsed(), backlog: sampling?.backlog ?? 0, rate: sampling?.rate ?? 1, spans: (processed - lastProcessed) * 5 });
  lastProcessed = processed;
}, 200);

let sent = 0;
while (elapsed() < SECONDS) {
  const phase = PHASES.find((p) => elapsed() < p.until)!;
  const due = Math.floor(phase.perSecond / 50);
  for (let i = 0; i < due; i++) {
    const root = tracer.startSpan('order', undefined, ROOT_CONTEXT);
    context.with(trace.setSpan(ROOT_CONTEXT, root), () => writer.publish(topic, `m${sent++}`));
    root.end();
  }
  await new Promise((resolve) => setTimeout(resolve, 20));
}
clearInterval(sampler);
reader.close();
writer.close();

const svg = renderChart(`Backlog-aware sampling on nsqd: capacity ${CAPACITY}, a real run`, [
  { title: 'backlog the consumer measured', unit: 'messages', points: samples.map((s) => [s.t, s.backlog]), color: '#c0392b' },
  { title: 'sampling rate', unit: 'fraction of messages with spans', points: samples.map((s) => [s.t, s.rate]), color: '#2874a6', max: 1 },
  { title: 'process spans exported', unit: 'per second', points: samples.map((s) => [s.t, s.spans]), color: '#1e8449' },
], SECONDS);
writeFileSync(out, svg);
const peak = Math.max(...samples.map((s) => s.backlog));
console.log(`${sent} messages, peak backlog ${peak}, lowest rate ${Math.min(...samples.map((s) => s.rate)).toFixed(3)}, ${processed} process spans; written to ${out}`);
process.exit(0);
