// Micro benchmarks: per-message inject + extract, tracehop's propagators against the stock
// OpenTelemetry JS ones, in one process, on Buffer header values (as kafkajs delivers them);
// and the NSQ envelope's encode + decode.
import { ROOT_CONTEXT, TraceFlags, propagation, trace, type Context, type TextMapPropagator } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { B3InjectEncoding, B3Propagator } from '@opentelemetry/propagator-b3';
import { createPropagator, headerGetter, headerSetter } from '@tracehop/core';
import { decodeEnvelope, encodeEnvelope } from '@tracehop/nsqjs';
import { Bench } from 'tinybench';

export interface MicroRow {
  readonly name: string;
  /** Median time of one operation, in nanoseconds. */
  readonly tracehopNs: number;
  readonly stockNs: number | undefined;
  /** tracehop / stock: the median of the per-round ratios (each round times both side by side). */
  readonly ratio: number | undefined;
}

/**
 * Operations per timed iteration. tinybench reads the clock around every iteration, which
 * costs about 40 ns here (an empty task measures so): added to both contestants of a pair,
 * it would pull every ratio towards 1. Over 8 operations it is a few ns per operation.
 */
const BATCH = 8;

/** Runs `operation` BATCH times: one timed iteration. */
function batched(operation: () => void): () => void {
  return () => {
    for (let i = 0; i < BATCH; i++) operation();
  };
}

/**
 * Distinct span contexts (and baggage) cycled through, one per operation: tracehop's
 * propagators remember the last context they validated, which a benchmark that injects one
 * context over and over would flatter. Real traffic sends many contexts.
 */
const CONTEXTS = 256;
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
/**
 * An id shaped as the SDK makes it: its RandomIdGenerator writes random bytes into a Buffer
 * and reads them back with `toString('hex')`, a flat string. (A template literal would give
 * a rope of two strings, which no real span context holds.)
 */
const sdkId = (text: string) => Buffer.from(text, 'hex').toString('hex');
function contextAt(index: number, withBaggage: boolean): Context {
  const base = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: sdkId(`4bf92f3577b34da6${hex(index + 1, 16)}`),
    spanId: sdkId(hex(0x00f067aa0ba90000 + index + 1, 16).slice(-16)),
    traceFlags: index % 2 === 0 ? TraceFlags.SAMPLED : TraceFlags.NONE,
  });
  if (!withBaggage) return base;
  return propagation.setBaggage(
    base,
    propagation.createBaggage({ 'tenant.id': { value: `acme-${index}` }, 'user.tier': { value: 'gold' }, region: { value: 'eu-west-1' } }),
  );
}

const stock: Record<string, () => TextMapPropagator> = {
  tracecontext: () => new W3CTraceContextPropagator(),
  'tracecontext,baggage': () =>
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  b3: () => new B3Propagator({ injectEncoding: B3InjectEncoding.SINGLE_HEADER }),
  b3multi: () => new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER }),
};

/** Headers as a consumer receives them: what the propagator wrote, as Buffers, plus a user header. */
function wireHeaders(propagator: TextMapPropagator, context: Context): Record<string, unknown> {
  const written: Record<string, unknown> = {};
  propagator.inject(context, written, headerSetter);
  const headers: Record<string, unknown> = { 'content-type': Buffer.from('application/json') };
  for (const [key, value] of Object.entries(written)) headers[key] = Buffer.from(String(value));
  return headers;
}

/** One inject of the next context, and one extract of the next message's headers. */
function injectExtract(propagator: TextMapPropagator, writer: TextMapPropagator, withBaggage: boolean): () => void {
  const contexts = Array.from({ length: CONTEXTS }, (_, index) => contextAt(index, withBaggage));
  // The stock propagator writes the inbound headers for both contestants: both parse the same bytes.
  const inbound = contexts.map((context) => wireHeaders(writer, context));
  let next = 0;
  return () => {
    const index = next++ & (CONTEXTS - 1);
    const carrier: Record<string, unknown> = {};
    propagator.inject(contexts[index]!, carrier, headerSetter);
    const extracted = propagator.extract(ROOT_CONTEXT, inbound[index]!, headerGetter);
    if (trace.getSpanContext(extracted) === undefined) throw new Error('benchmark extracted nothing');
  };
}

/** The median time of one operation of a batched task, in nanoseconds. */
const medianNs = (bench: Bench, name: string): number => {
  const result = bench.getTask(name)?.result;
  if (result?.state !== 'completed') throw new Error(`benchmark task ${name} did not complete`);
  return (result.latency.p50 * 1e6) / BATCH;
};

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * Runs every pair `rounds` times, the two contestants of a pair one after the other. Times are
 * the median of the per-round medians; a ratio is the median of the per-round ratios, so that
 * a change in the machine's load between rounds (it is shared) touches both sides of a ratio.
 */
export async function runMicro(rounds = 5, timeMs = 400): Promise<MicroRow[]> {
  const samples = new Map<string, number[]>();
  const record = (name: string, value: number) => samples.set(name, [...(samples.get(name) ?? []), value]);
  const envelopeBody = Buffer.alloc(256, 7);
  const envelopeHeaders = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', baggage: 'tenant.id=acme' };

  for (let round = 0; round < rounds; round++) {
    const bench = new Bench({ time: timeMs, warmup: true });
    for (const [format, makeStock] of Object.entries(stock)) {
      const withBaggage = format.includes('baggage');
      bench.add(`tracehop ${format}`, batched(injectExtract(createPropagator(format), makeStock(), withBaggage)));
      bench.add(`stock ${format}`, batched(injectExtract(makeStock(), makeStock(), withBaggage)));
    }
    bench.add(
      'tracehop nsq envelope',
      batched(() => {
        if (decodeEnvelope(encodeEnvelope(envelopeBody, envelopeHeaders)) === undefined) throw new Error('no envelope');
      }),
    );
    await bench.run();
    for (const task of bench.tasks) record(task.name, medianNs(bench, task.name));
    for (const format of Object.keys(stock)) {
      record(`ratio ${format}`, medianNs(bench, `tracehop ${format}`) / medianNs(bench, `stock ${format}`));
    }
  }

  const rows: MicroRow[] = Object.keys(stock).map((format) => ({
    name: `inject + extract ${format}`,
    tracehopNs: median(samples.get(`tracehop ${format}`)!),
    stockNs: median(samples.get(`stock ${format}`)!),
    ratio: median(samples.get(`ratio ${format}`)!),
  }));
  rows.push({
    name: 'NSQ envelope encode + decode (256 B, 2 headers)',
    tracehopNs: median(samples.get('tracehop nsq envelope')!),
    stockNs: undefined,
    ratio: undefined,
  });
  return rows;
}
