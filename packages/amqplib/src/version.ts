import type { InstrumentationScope } from '@tracehop/core';

/** The tracer's instrumentation scope: this package's name and version. */
export const INSTRUMENTATION_SCOPE: InstrumentationScope = {
  name: '@tracehop/amqplib',
  version: '0.1.0',
};
