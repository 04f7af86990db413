// Worst-case table (issue 14): per broker, the most expensive messages constructible within
// the broker's own limits, tracehop's per-message instrumentation time (extract with all
// five formats configured; for NSQ the envelope decode too) next to the client library's own
// decode of the very same message. In process, no broker needed: the libraries' decoders are
// called from their lib files.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { createPropagator, headerGetter } from '@tracehop/core';
import { decodeEnvelope, encodeEnvelope } from '@tracehop/nsqjs';

const require = createRequire(import.meta.url);
const amqpCodec = require(join(dirname(require.resolve('amqplib')), 'lib', 'codec.js')) as {
  encodeTable(buffer: Buffer, table: object, offset: number): number;
  decodeFields(slice: Buffer): Record<string, unknown>;
};
const kafkaDir = dirname(require.resolve('kafkajs'));
const encodeRecord = require(join(kafkaDir, 'src/protocol/recordBatch/record/v0')) as (record: object) => { buffer: Buffer };
const decodeRecord = require(join(kafkaDir, "src/protocol/recordBatch/record/v0/decoder")) as (decoder: unknown, batch: object) => { headers: object };
const KafkaDecoder = require(join(kafkaDir, 'src/protocol/decoder')) as new (buffer: Buffer) => { readVarInt(): number };
const NsqMessage = require(join(dirname(require.resolve('nsqjs')), 'message.js')) as new (raw: Buffer, ...rest: number[]) => { body: Buffer; id: string; attempts: number; timestamp: unknown; timedOut: boolean; trackTimeoutId: NodeJS.Timeout | null };

export interface WorstCaseRow {
  readonly broker: 'rabbitmq' | 'kafka' | 'nsq';
  readonly shape: string;
  readonly bytes: number;
  readonly headers: number;
  /** tracehop's instrumentation time for one message, µs. */
  readonly tracehopUs: number;
  /** The client library's own decode of the same message, µs. */
  readonly libraryUs: number;
  /** Whether the library's time was measured on a smaller message (its decode is quadratic). */
  readonly libraryNote?: string;
}

const ALL = createPropagator('tracecontext,baggage,b3,b3multi,jaeger');
const TP = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const extract = (headers: object) => ALL.extract(ROOT_CONTEXT, headers, headerGetter);

/** Median of 5 rounds of the per-call time, each round at least ~20 ms or 500 calls. */
function perCallUs(call: () => unknown): number {
  // Warmed up for ~20 ms, so that the rounds time optimised code.
  for (let warm = performance.now(), calls = 0; calls < 3 || (performance.now() - warm < 20 && calls < 500); calls++) call();
  const rounds: number[] = [];
  for (let round = 0; round < 5; round++) {
    let calls = 0;
    const started = performance.now();
    let elapsed = 0;
    while (calls < 500 && (elapsed < 20 || calls < 3)) {
      call();
      calls++;
      elapsed = performance.now() - started;
    }
    rounds.push((elapsed * 1000) / calls);
  }
  rounds.sort((a, b) => a - b);
  return rounds[2]!;
}

/** Adds `name: value` entries from `entry(i)` while `fits` says the message stays in bounds. */
function fill(entry: (i: number) => [string, unknown], fits: (headers: Record<string, unknown>) => boolean, step = 256): Record<string, unknown> {
  const headers: Record<string, unknown> = { traceparent: TP };
  let i = 0;
  for (;;) {
    const batch: Array<[string, unknown]> = [];
    for (let k = 0; k < step; k++) batch.push(entry(i + k));
    for (const [name, value] of batch) headers[name] = value;
    if (!fits(headers)) {
      for (const [name] of batch) delete headers[name];
      if (step === 1) return headers;
      step = Math.max(1, step >> 2);
      continue;
    }
    i += step;
  }
}

// RabbitMQ: a header table within amqplib's 64 KiB encoding buffer.
const SCRATCH = Buffer.alloc(1 << 20);
const amqpSize = (headers: object) => amqpCodec.encodeTable(SCRATCH, headers, 0);
const amqpFits = (headers: object) => amqpSize(headers) <= 65536;

function amqpRow(shape: string, headers: Record<string, unknown>): WorstCaseRow {
  const length = amqpCodec.encodeTable(SCRATCH, headers, 0);
  const encoded = Buffer.from(SCRATCH.subarray(4, length));
  const decoded = amqpCodec.decodeFields(encoded);
  return {
    broker: 'rabbitmq',
    shape,
    bytes: length,
    headers: Object.keys(decoded).length,
    tracehopUs: perCallUs(() => extract(decoded)),
    libraryUs: perCallUs(() => amqpCodec.decodeFields(encoded)),
  };
}

/** `{ traceparent, [name]: items… }` with as many of `items` as the 64 KiB table holds. */
function arrayTable(name: string, items: readonly string[]): Record<string, unknown> {
  let count = items.length;
  while (count > 0 && !amqpFits({ traceparent: TP, [name]: items.slice(0, count) })) count = Math.floor(count * 0.98);
  return { traceparent: TP, [name]: items.slice(0, count) };
}

function rabbitmqRows(): WorstCaseRow[] {
  const distinct = Array.from({ length: 8000 }, (_, i) => `k${i}=v`);
  return [
    amqpRow('uberctx-N: 0 headers (issue 14)', fill((i) => [`uberctx-${i}`, '0'], amqpFits)),
    amqpRow('uberctx-N / UBERCTX-N pairs', fill((i) => [i % 2 === 0 ? `uberctx-${i >> 1}` : `UBERCTX-${i >> 1}`, String(i % 2)], amqpFits)),
    amqpRow('short user headers', fill((i) => [`x${i}`, ''], amqpFits)),
    amqpRow('TraceParent-like names', fill((i) => [`TraceParent${i}`, 'v'], amqpFits)),
    amqpRow('baggage as an array of distinct strings', arrayTable('baggage', distinct)),
    amqpRow('every format header, 7 KiB each', Object.fromEntries(
      ['traceparent', 'tracestate', 'baggage', 'b3', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled', 'x-b3-flags', 'uber-trace-id'].map((name) => [name, 'k=v,'.repeat(1750)]),
    )),
  ];
}

// Kafka: one record within the broker's default max.message.bytes (1 048 588).
const KAFKA_MAX = 1_048_588;
/** kafkajs's record decoder rebuilds its header object with a spread per header: quadratic. */
const KAFKA_DECODE_CAP = 2048;
const varintSize = (n: number) => (n < 64 ? 1 : n < 8192 ? 2 : 3);

/** Headers from `entry(i)` while the record (sized header by header: varints + bytes) fits. */
function kafkaHeaders(entry: (i: number) => [string, unknown], limit: (count: number) => boolean): Record<string, unknown> {
  const headers: Record<string, unknown> = { traceparent: TP };
  // The record's own fields (length, attributes, deltas, key, value, header count): < 32 bytes.
  let size = 32 + 1 + 11 + 1 + TP.length;
  for (let i = 0; limit(i); i++) {
    const [name, value] = entry(i);
    const text = String(value);
    const bytes = varintSize(name.length) + Buffer.byteLength(name) + varintSize(text.length) + Buffer.byteLength(text);
    if (size + bytes > KAFKA_MAX) break;
    headers[name] = value;
    size += bytes;
  }
  return headers;
}

function kafkaRow(shape: string, entry: (i: number) => [string, unknown]): WorstCaseRow {
  // The record as kafkajs's consumer hands it over: Buffers, arrays for repeated keys.
  const full = kafkaHeaders(entry, () => true);
  const encoded = encodeRecord({ key: null, value: Buffer.alloc(0), headers: full }).buffer;
  if (encoded.length > KAFKA_MAX) throw new Error(`worst case: a ${encoded.length}-byte Kafka record is over the limit`);
  const count = Object.keys(full).length;
  const asDelivered = Object.fromEntries(Object.entries(full).map(([name, value]) => [name, Array.isArray(value) ? value.map((v) => Buffer.from(String(v))) : Buffer.from(String(value))]));
  const headerCount = Object.values(asDelivered).reduce<number>((sum, value) => sum + (Array.isArray(value) ? value.length : 1), 0);
  let libraryUs: number;
  let libraryNote: string | undefined;
  const decodeOf = (buffer: Buffer) => () => {
    const decoder = new KafkaDecoder(buffer);
    decoder.readVarInt(); // the record's length prefix
    return decodeRecord(decoder, { firstOffset: '0', firstTimestamp: '0', magicByte: 2 });
  };
  if (headerCount <= KAFKA_DECODE_CAP) libraryUs = perCallUs(decodeOf(encoded));
  else {
    const part = kafkaHeaders(entry, (i) => i < KAFKA_DECODE_CAP);
    libraryUs = perCallUs(decodeOf(encodeRecord({ key: null, value: Buffer.alloc(0), headers: part }).buffer));
    libraryNote = `measured on its first ${Object.keys(part).length} headers; kafkajs's decode is quadratic in the header count`;
  }
  return { broker: 'kafka', shape, bytes: encoded.length, headers: Math.max(count, headerCount), tracehopUs: perCallUs(() => extract(asDelivered)), libraryUs, libraryNote };
}

function kafkaRows(): WorstCaseRow[] {
  return [
    kafkaRow('uberctx-N: 0 headers', (i) => [`uberctx-${i}`, '0']),
    kafkaRow('short user headers', (i) => [`x${i.toString(36)}`, '']),
    kafkaRow('every format header, 110 KiB each', (i) => [['traceparent', 'tracestate', 'baggage', 'b3', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled', 'x-b3-flags', 'uber-trace-id'][i % 9]! + (i >= 9 ? `-${i}` : ''), 'k=v,'.repeat(i < 9 ? 28_000 : 1)]),
  ];
}

// NSQ: a 1 MiB message body (nsqd's default --max-msg-size) that is an envelope.
const NSQ_MAX = 1024 * 1024;

function nsqRow(shape: string, entry: (i: number) => [string, string]): WorstCaseRow {
  const headers: Record<string, string> = {};
  let envelope = encodeEnvelope(Buffer.alloc(0), headers);
  for (let i = 0; i < 0xffff; i++) {
    const [name, value] = entry(i);
    headers[name] = value;
    if (i % 1024 === 1023 || i === 0xfffe) {
      const next = encodeEnvelope(Buffer.alloc(0), headers);
      if (next.length > NSQ_MAX) break;
      envelope = next;
    }
  }
  // nsqd's frame for the message: timestamp (8), attempts (2), id (16), then the body.
  const raw = Buffer.concat([Buffer.alloc(8), Buffer.from([0, 1]), Buffer.from('0123456789abcdef'), envelope]);
  const decoded = decodeEnvelope(envelope)!;
  return {
    broker: 'nsq',
    shape,
    bytes: envelope.length,
    headers: Object.keys(decoded.headers).length,
    tracehopUs: perCallUs(() => extract(decodeEnvelope(envelope)!.headers)),
    libraryUs: perCallUs(() => {
      const message = new NsqMessage(raw, 90, 60_000, 900_000);
      if (message.trackTimeoutId !== null) clearTimeout(message.trackTimeoutId);
      return [message.body, message.id, message.attempts];
    }),
  };
}

function nsqRows(): WorstCaseRow[] {
  return [
    nsqRow('65 535 uberctx-N headers', (i) => [`uberctx-${i}`, '0']),
    nsqRow('65 535 one-character headers', (i) => [String.fromCharCode(0x21 + (i % 90)) + i.toString(36), '']),
    nsqRow('uberctx-N / UBERCTX-N pairs, 15 B values', (i) => [i % 2 === 0 ? `uberctx-${i >> 1}` : `UBERCTX-${i >> 1}`, 'x'.repeat(15)]),
  ];
}

/** Runs every shape; `log` reports progress. */
export function runWorstCase(log: (line: string) => void = () => undefined): WorstCaseRow[] {
  const rows: WorstCaseRow[] = [];
  for (const make of [rabbitmqRows, kafkaRows, nsqRows]) {
    for (const row of make()) {
      rows.push(row);
      log(`  ${row.broker} ${row.shape}: tracehop ${row.tracehopUs.toFixed(1)} µs, library ${row.libraryUs.toFixed(1)} µs`);
    }
  }
  return rows;
}
