import { diag } from '@opentelemetry/api';
import { isInstrumented, isThenable, proxyClient } from '@tracehop/core';
import type { Producer, ProducerBatch, ProducerRecord, RecordMetadata, Transaction } from 'kafkajs';
import { resolveKafkaOptions, type KafkaSettings } from './kafka-options.js';
import { traceSend } from './producer-send.js';
import type { KafkaInstrumentationOptions } from './types.js';

type Sender = Pick<Producer, 'send' | 'sendBatch'>;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** `send` and `sendBatch` of a producer or a transaction, traced; the target's own methods run. */
function senderOverrides(target: Sender, settings: KafkaSettings) {
  return {
    send(record: ProducerRecord): Promise<RecordMetadata[]> {
      // Not a record: kafkajs answers with its own error, exactly as without tracehop.
      if (!isObject(record)) return target.send(record);
      return traceSend(settings, [record], (groups) => target.send(groups[0] as ProducerRecord));
    },
    sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
      if (!isObject(batch)) return target.sendBatch(batch);
      const { topicMessages } = batch;
      if (topicMessages === undefined) return traceSend(settings, [], () => target.sendBatch(batch));
      if (!Array.isArray(topicMessages)) return target.sendBatch(batch);
      return traceSend(settings, topicMessages, (groups) =>
        target.sendBatch({ ...batch, topicMessages: groups as ProducerBatch['topicMessages'] }),
      );
    },
  };
}

function instrumentTransaction(transaction: Transaction, settings: KafkaSettings): Transaction {
  if (!isObject(transaction) || isInstrumented(transaction)) return transaction;
  // sendOffsets, commit, abort and isActive pass through: the messaging conventions define no
  // span for them, and kafkajs' own behaviour (guards, errors) must stay exactly as it is.
  try {
    return proxyClient(transaction, senderOverrides(transaction, settings), { kind: 'kafkajs transaction', register: false });
  } catch (error) {
    diag.error('tracehop: could not trace this transaction; it works without trace context', error);
    return transaction;
  }
}

/** Wraps a producer with already-resolved settings (shared by `instrumentKafka`). */
export function instrumentProducerWith(producer: Producer, settings: KafkaSettings): Producer {
  const overrides = {
    ...senderOverrides(producer, settings),
    transaction(...args: unknown[]): Promise<Transaction> {
      const pending = (producer.transaction as (...a: unknown[]) => Promise<Transaction>)(...args);
      // A rejection (no transactionalId, a transaction already open…) passes through unchanged.
      return isThenable(pending) ? pending.then((transaction) => instrumentTransaction(transaction, settings)) : pending;
    },
  };
  return proxyClient(producer, overrides, { kind: 'kafkajs producer' });
}

/**
 * Returns a traced view of a kafkajs producer: `send`, `sendBatch` and the `send` /
 * `sendBatch` of its transactions make PRODUCER spans and carry their context in each
 * message's headers (on copies: your messages and header objects are never written to).
 * Everything else is the producer's own. Use the returned object; the one you pass in stays
 * untraced. A producer that is already traced gets its existing wrapper back. Invalid options,
 * or something that is not an object, throw a TypeError here.
 */
export function instrumentProducer(producer: Producer, options?: KafkaInstrumentationOptions): Producer {
  const settings = resolveKafkaOptions(options);
  return instrumentProducerWith(producer, settings);
}
