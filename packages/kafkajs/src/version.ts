import type { InstrumentationScope } from '@tracehop/core';

/** The tracer scope of this package's spans; the version follows package.json. */
export const INSTRUMENTATION_SCOPE: InstrumentationScope = { name: '@tracehop/kafkajs', version: '0.1.0' };
