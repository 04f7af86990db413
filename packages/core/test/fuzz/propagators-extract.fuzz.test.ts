// Fuzzes extraction by every tracehop propagator (each format, and mixed lists) from hostile
// carriers, through core's header getter and through foreign getters that return anything.
// Whatever comes in, what comes out is a valid context or none, and re-injecting it writes
// only well-formed headers within the specifications' limits.
import type { Context, TextMapGetter } from '@opentelemetry/api';
import { ROOT_CONTEXT, defaultTextMapGetter, propagation, trace } from '@opentelemetry/api';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { headerGetter, headerSetter } from '../../src/header-carrier.js';
import { createPropagator } from '../../src/propagation/create-propagator.js';
import { propagatorFor } from '../../src/propagation/propagator-registry.js';
import { extractedContextProblem, injectedHeaderProblem } from './support/header-output-checks.js';
import { fuzzParameters, fuzzTimeout } from './support/fuzz-config.js';
import { hostileCarrier, hostileValue } from './support/hostile-values.js';
import { SINGLE_FORMATS, propagatorList, settingsArb } from './support/propagator-configs.js';
import { holds, runGuarded } from './support/run-guarded.js';

const INHERITED_PARENT = trace.setSpanContext(ROOT_CONTEXT, {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceFlags: 1,
  isRemote: false,
});
const WITH_BAGGAGE = propagation.setBaggage(INHERITED_PARENT, propagation.createBaggage({ ambient: { value: 'yes' } }));

const baseContext = fc.constantFrom<Context>(ROOT_CONTEXT, INHERITED_PARENT, WITH_BAGGAGE);

/** A getter that answers every key with a hostile value (as a broken or malicious carrier could). */
const hostileGetter: fc.Arbitrary<TextMapGetter> = fc
  .tuple(fc.array(fc.string({ unit: 'binary', maxLength: 12 }), { maxLength: 6 }), hostileValue)
  .map(([keys, value]) => ({ keys: () => [...keys, 'uberctx-a', 'UBERCTX-b'], get: () => value as string }));

const getterArb: fc.Arbitrary<TextMapGetter> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<TextMapGetter>(headerGetter as TextMapGetter) },
  { weight: 2, arbitrary: fc.constant<TextMapGetter>(defaultTextMapGetter) },
  { weight: 1, arbitrary: hostileGetter },
);

/** What an extract gives must be sound, and re-injecting it must write only sound headers. */
function checkExtracted(propagator: ReturnType<typeof createPropagator>, base: Context, extracted: Context): void {
  if (trace.getSpanContext(extracted) !== trace.getSpanContext(base)) holds(extractedContextProblem(extracted));
  else if (propagation.getBaggage(extracted) !== propagation.getBaggage(base)) holds(extractedContextProblem(trace.deleteSpan(extracted)));
  const out: Record<string, unknown> = {};
  propagator.inject(extracted, out, headerSetter);
  holds(injectedHeaderProblem(out));
}

describe('propagators extracting hostile carriers', () => {
  for (const name of SINGLE_FORMATS) {
    it(
      `${name}: never throws, yields only valid contexts, re-injects within the limits`,
      () => {
        const propagator = propagatorFor(name);
        const reinjector = createPropagator(name);
        fc.assert(
          fc.property(hostileCarrier, baseContext, getterArb, (carrier, base, getter) => {
            const extracted = runGuarded(carrier, (input) => propagator.extract(base, input, getter));
            checkExtracted(reinjector, base, extracted);
          }),
          fuzzParameters(),
        );
      },
      fuzzTimeout(),
    );
  }

  it(
    'mixed lists (any order, repeats, unknown names, none): same properties, and the result is deterministic',
    () => {
      fc.assert(
        fc.property(propagatorList, settingsArb, hostileCarrier, baseContext, getterArb, (names, settings, carrier, base, getter) => {
          const propagator = createPropagator(names, settings);
          const extracted = runGuarded(carrier, (input) => propagator.extract(base, input, getter));
          checkExtracted(propagator, base, extracted);
          if (getter === headerGetter) {
            const again = propagator.extract(base, carrier, getter);
            const [a, b] = [trace.getSpanContext(extracted), trace.getSpanContext(again)];
            holds(a?.traceId === b?.traceId && a?.spanId === b?.spanId && a?.traceFlags === b?.traceFlags ? undefined : 'two extracts of one carrier differ');
          }
        }),
        fuzzParameters(),
      );
    },
    fuzzTimeout(),
  );
});
