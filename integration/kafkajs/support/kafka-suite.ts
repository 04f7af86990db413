import { afterAll, beforeAll, describe, inject } from 'vitest';
import { contextTests } from './context-tests.js';
import { deliveryTests } from './delivery-tests.js';
import type { KafkaFormat } from './formats.js';
import { startSuiteWorld, type SuiteWorld } from './suite-world.js';

/** Registers the whole kafkajs suite for one propagation set, on the real broker. */
export function defineKafkaSuite(format: KafkaFormat): void {
  describe(`@tracehop/kafkajs on a real broker: ${format.name}`, () => {
    let world: SuiteWorld | undefined;
    beforeAll(async () => {
      world = await startSuiteWorld(format, inject('brokers').kafkaBrokers);
    });
    afterAll(async () => {
      await world?.stop();
    });
    const current = () => {
      if (world === undefined) throw new Error('the suite world did not start');
      return world;
    };
    contextTests(current, format);
    deliveryTests(current, format);
  });
}
