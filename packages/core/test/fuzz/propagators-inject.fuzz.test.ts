// Fuzzes injection by every tracehop propagator with hostile contexts: absurd ids and flags,
// foreign TraceState / Baggage objects, keys no header can carry, lone surrogates, huge
// baggage. Only well-formed headers within the limits are written, the same context in every
// format, and what is written reads back as the context that was injected.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { ROOT_CONTEXT, isSpanContextValid, trace } from '@opentelemetry/api';
import { headerGetter, headerSetter } from '../../src/header-carrier.js';
import { createPropagator } from '../../src/propagation/create-propagator.js';
import { propagatorFor } from '../../src/propagation/propagator-registry.js';
import { extractedContextProblem, injectedHeaderProblem } from './support/header-output-checks.js';
import { fuzzParameters, fuzzTimeout } from './support/fuzz-config.js';
import { hostileContext, isSuppressed, typeViolatingContext, writableIds } from './support/hostile-contexts.js';
import { SINGLE_FORMATS, propagatorList, settingsArb } from './support/propagator-configs.js';
import { PropertyViolation, holds, runGuarded } from './support/run-guarded.js';

const SPAN_FORMATS = new Set(['tracecontext', 'b3', 'b3multi', 'jaeger']);

describe('propagators injecting hostile contexts', () => {
  for (const name of SINGLE_FORMATS) {
    it(
      `${name}: never throws, writes well-formed headers within the limits, and they read back`,
      () => {
        const propagator = propagatorFor(name);
        fc.assert(
          fc.property(hostileContext, (context) => {
            const out: Record<string, unknown> = {};
            runGuarded(context, (input) => propagator.inject(input, out, headerSetter));
            holds(injectedHeaderProblem(out));
            const spanContext = trace.getSpanContext(context);
            const writesSpan = SPAN_FORMATS.has(name) && writableIds(spanContext) && !isSuppressed(context);
            if (!SPAN_FORMATS.has(name)) return;
            if (writesSpan !== Object.keys(out).some((key) => !key.toLowerCase().startsWith('uberctx-'))) {
              throw new PropertyViolation(writesSpan ? 'a writable span context was not injected' : 'a span context that is not writable was injected');
            }
            if (!writesSpan) return;
            const back = trace.getSpanContext(propagator.extract(ROOT_CONTEXT, out, headerGetter));
            holds(back !== undefined && isSpanContextValid(back) ? undefined : 'the injected context does not read back');
            holds(back!.traceId === spanContext!.traceId && back!.spanId === spanContext!.spanId ? undefined : 'the ids changed on the way');
          }),
          fuzzParameters(),
        );
      },
      fuzzTimeout(),
    );
  }

  it(
    'mixed lists: never throw (even on values of forbidden types), one consistent context across formats, reads back soundly',
    () => {
      fc.assert(
        fc.property(propagatorList, settingsArb, typeViolatingContext, (names, settings, context) => {
          const propagator = createPropagator(names, settings);
          const out: Record<string, unknown> = {};
          runGuarded(context, (input) => propagator.inject(input, out, headerSetter));
          holds(injectedHeaderProblem(out));
          holds(extractedContextProblem(propagator.extract(ROOT_CONTEXT, out, headerGetter)));
        }),
        fuzzParameters(),
      );
    },
    fuzzTimeout(),
  );
});
