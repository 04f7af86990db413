import type { Context } from '@opentelemetry/api';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { extractInbound, messageStamp, type InboundContext } from '@tracehop/core';
import type { Span } from '@opentelemetry/api';
import type { Batch, KafkaMessage } from 'kafkajs';
import type { ConsumerState } from './consumer.js';

/** What tracehop knows of a batch handed to a traced `eachBatch`. */
export interface BatchEntry {
  readonly state: ConsumerState;
  /** The span around the `eachBatch` handler, when spans are made. */
  span: Span | undefined;
  /** The context of the batch span: what per-message work nests in. */
  context: Context;
  /** Each message's inbound context, extracted once. */
  readonly inbound: Map<KafkaMessage, InboundContext>;
}

// Stamped on kafkajs' own batch object, which is neither copied nor written to: the entry
// lives exactly as long as the batch does, and both builds of tracehop see it.
const batches = messageStamp<BatchEntry>('kafkajs-batch');

export function registerBatch(batch: Batch, state: ConsumerState): BatchEntry {
  const entry: BatchEntry = { state, span: undefined, context: ROOT_CONTEXT, inbound: new Map() };
  batches.set(batch, entry);
  return entry;
}

export function batchEntry(batch: Batch): BatchEntry | undefined {
  return typeof batch === 'object' && batch !== null ? batches.get(batch) : undefined;
}

/** The message's inbound context, read from its headers on first use. */
export function inboundOf(entry: BatchEntry, message: KafkaMessage): InboundContext {
  let inbound = entry.inbound.get(message);
  if (inbound === undefined) {
    inbound = extractInbound(entry.state.settings.resolved, message.headers);
    entry.inbound.set(message, inbound);
  }
  return inbound;
}
