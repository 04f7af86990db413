import type { TracerProvider } from '@opentelemetry/api';
import { INSTRUMENTATION_GATE, type InstrumentationGate } from '../instrumentation-gate.js';

/** The part of an `@opentelemetry/instrumentation` config that is not a wrapper option. */
interface InstrumentationSwitch {
  enabled?: boolean;
}

/**
 * The wrapper options a drop-in instrumentation gives a client it creates now: its config
 * (the wrappers' vocabulary, plus contrib's `enabled`, which is dropped), the tracer provider
 * handed to `setTracerProvider` when the config names none (NodeSDK and
 * `registerInstrumentations` hand theirs; otherwise the global one is used, as by the
 * wrappers), and the instrumentation's switch, read per message (see instrumentation-gate.ts).
 *
 * A copy of the config's first level is made for each client: a later `setConfig` gives
 * clients created afterwards the new options and leaves earlier clients with theirs.
 */
export function instrumentationClientOptions<O extends object>(
  config: O & InstrumentationSwitch,
  gate: InstrumentationGate,
  tracerProvider: TracerProvider | undefined,
): O {
  const { enabled: _enabled, ...options } = config;
  const provided = (options as { tracerProvider?: TracerProvider }).tracerProvider ?? tracerProvider;
  return {
    ...(options as O),
    ...(provided === undefined ? {} : { tracerProvider: provided }),
    [INSTRUMENTATION_GATE]: gate,
  };
}
