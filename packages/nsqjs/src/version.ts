import type { InstrumentationScope } from '@tracehop/core';

/** The tracer scope of this package's spans; the version follows package.json (tested). */
export const INSTRUMENTATION_SCOPE: InstrumentationScope = { name: '@tracehop/nsqjs', version: '0.1.0' };
