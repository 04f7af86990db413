// Stand-ins for kafkajs clients, for what needs no broker: they record what tracehop hands
// them and answer like kafkajs does. Broker behaviour itself is proven in integration/kafkajs.
import { ROOT_CONTEXT, TraceFlags, propagation, trace, type Baggage, type SpanContext } from '@opentelemetry/api';
import { createPropagator, headerSetter } from '@tracehop/core';
import type {
  Batch,
  Consumer,
  ConsumerRunConfig,
  EachBatchPayload,
  EachMessagePayload,
  IHeaders,
  KafkaMessage,
  Producer,
  ProducerBatch,
  ProducerRecord,
  RecordMetadata,
  Transaction,
} from 'kafkajs';

export const PRODUCER_CONTEXT: SpanContext = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: TraceFlags.SAMPLED,
};

/** Headers as kafkajs delivers them (Buffers), carrying `spanContext` and `baggage`. */
export function inboundHeaders(
  spanContext: SpanContext = PRODUCER_CONTEXT,
  baggage?: Record<string, string>,
  names = 'tracecontext,baggage',
): IHeaders {
  let ctx = trace.setSpanContext(ROOT_CONTEXT, spanContext);
  if (baggage) {
    const entries: Record<string, { value: string }> = {};
    for (const [key, value] of Object.entries(baggage)) entries[key] = { value };
    ctx = propagation.setBaggage(ctx, propagation.createBaggage(entries) as Baggage);
  }
  const text: Record<string, unknown> = {};
  createPropagator(names).inject(ctx, text, headerSetter);
  const headers: IHeaders = {};
  for (const [key, value] of Object.entries(text)) headers[key] = Buffer.from(String(value));
  return headers;
}

export function kafkaMessage(init: Partial<KafkaMessage> & { headers?: IHeaders } = {}): KafkaMessage {
  return {
    key: null,
    value: Buffer.from('payload'),
    timestamp: '1700000000000',
    attributes: 0,
    offset: '0',
    headers: {},
    ...init,
  } as KafkaMessage;
}

export interface FakeProducer extends Producer {
  readonly records: ProducerRecord[];
  readonly batches: ProducerBatch[];
  /** What the next sends answer; an Error rejects. */
  answer: RecordMetadata[] | Error;
  lastTransaction: (Transaction & { readonly records: ProducerRecord[] }) | undefined;
}

function sender(records: ProducerRecord[], batches: ProducerBatch[], answer: () => RecordMetadata[] | Error) {
  return {
    async send(record: ProducerRecord) {
      records.push(record);
      const result = answer();
      if (result instanceof Error) throw result;
      return result;
    },
    async sendBatch(batch: ProducerBatch) {
      batches.push(batch);
      const result = answer();
      if (result instanceof Error) throw result;
      return result;
    },
  };
}

export function fakeProducer(): FakeProducer {
  const records: ProducerRecord[] = [];
  const batches: ProducerBatch[] = [];
  const producer = {
    records,
    batches,
    answer: [{ topicName: 'orders', partition: 2, errorCode: 0, baseOffset: '41' }] as RecordMetadata[] | Error,
    lastTransaction: undefined as FakeProducer['lastTransaction'],
    events: { CONNECT: 'producer.connect' },
    connect: async () => undefined,
    disconnect: async () => undefined,
    isIdempotent: () => false,
    on: () => () => undefined,
    logger: () => undefined,
    async transaction() {
      const txRecords: ProducerRecord[] = [];
      let active = true;
      const tx = {
        records: txRecords,
        ...sender(txRecords, [], () => producer.answer),
        sendOffsets: async () => undefined,
        commit: async () => {
          active = false;
        },
        abort: async () => {
          active = false;
        },
        isActive: () => active,
      };
      producer.lastTransaction = tx as unknown as FakeProducer['lastTransaction'];
      return tx as unknown as Transaction;
    },
  };
  Object.assign(producer, sender(records, batches, () => producer.answer));
  return producer as unknown as FakeProducer;
}

type Listener = (event: { payload: Record<string, unknown> }) => void;

export interface FakeConsumer extends Consumer {
  /** The config kafkajs would have received from `run`. */
  runConfig: ConsumerRunConfig | undefined;
  /** Emits an instrumentation event, as kafkajs does. */
  emit(event: string, payload: Record<string, unknown>): void;
  deliver(topic: string, partition: number, message: KafkaMessage): Promise<void>;
  deliverBatch(topic: string, partition: number, messages: KafkaMessage[]): Promise<void>;
}

export function fakeConsumer(): FakeConsumer {
  const listeners = new Map<string, Listener[]>();
  const consumer = {
    runConfig: undefined as ConsumerRunConfig | undefined,
    events: { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash' },
    on(event: string, listener: Listener) {
      listeners.set(event, [...(listeners.get(event) ?? []), listener]);
      return () => undefined;
    },
    emit(event: string, payload: Record<string, unknown>) {
      for (const listener of listeners.get(event) ?? []) listener({ payload });
    },
    connect: async () => undefined,
    disconnect: async () => undefined,
    subscribe: async () => undefined,
    stop: async () => undefined,
    async run(config?: ConsumerRunConfig) {
      consumer.runConfig = config;
    },
    async deliver(topic: string, partition: number, message: KafkaMessage) {
      const payload: EachMessagePayload = { topic, partition, message, heartbeat: async () => undefined, pause: () => () => undefined };
      await consumer.runConfig!.eachMessage!(payload);
    },
    async deliverBatch(topic: string, partition: number, messages: KafkaMessage[]) {
      await consumer.runConfig!.eachBatch!(batchPayload(topic, partition, messages));
    },
  };
  return consumer as unknown as FakeConsumer;
}

export function batchPayload(topic: string, partition: number, messages: KafkaMessage[]): EachBatchPayload {
  const batch: Batch = {
    topic,
    partition,
    highWatermark: String(messages.length),
    messages,
    isEmpty: () => messages.length === 0,
    firstOffset: () => messages[0]?.offset ?? null,
    lastOffset: () => messages.at(-1)?.offset ?? '-1',
    offsetLag: () => '0',
    offsetLagLow: () => '0',
  };
  return {
    batch,
    resolveOffset: () => undefined,
    heartbeat: async () => undefined,
    pause: () => () => undefined,
    commitOffsetsIfNecessary: async () => undefined,
    uncommittedOffsets: () => ({ topics: [] }),
    isRunning: () => true,
    isStale: () => false,
  };
}
