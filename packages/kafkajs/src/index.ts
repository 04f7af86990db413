export { instrumentKafka } from './instrument-kafka.js';
export { instrumentProducer } from './instrument-producer.js';
export { instrumentConsumer } from './instrument-consumer.js';
export { withMessageContext } from './message-context.js';
export { extractKafkaContext, injectKafkaHeaders } from './kafka-headers.js';
export { isInstrumented } from '@tracehop/core';
export { INSTRUMENTATION_SCOPE } from './version.js';
export type { KafkaConsumeInfo, KafkaInstrumentationOptions, KafkaPublishInfo, MessageContextOptions } from './types.js';
