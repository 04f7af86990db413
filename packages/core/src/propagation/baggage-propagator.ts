import type { Context, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { diag, propagation } from '@opentelemetry/api';
import { BAGGAGE_MAX_INPUT_LENGTH, parseBaggageHeader, serializeBaggage } from './baggage-codec.js';
import { readSource, textAt, type Conflicting, type HeaderSource } from './header-source.js';
import { withBaggage } from './overlay-context.js';
import { declareTraits } from './propagator-traits.js';
import { isTracingSuppressed } from './suppress-tracing.js';

export const BAGGAGE_HEADER = 'baggage';

/** The header's text; of a Buffer too long to be read, only what can be read is decoded. */
function textOf(source: HeaderSource): string {
  if (source.length <= BAGGAGE_MAX_INPUT_LENGTH) return textAt(source, 0, source.length);
  // Only whole members before the input bound are read (parseBaggageHeader): decode no more.
  return textAt(source, 0, BAGGAGE_MAX_INPUT_LENGTH + 1);
}

/**
 * W3C Baggage (https://www.w3.org/TR/baggage/): percent-encoded values, properties kept as
 * entry metadata, every member propagated up to 64 members / 8192 bytes and whole members
 * dropped beyond. See docs/propagation.md for where it differs from `@opentelemetry/core`.
 * Never throws.
 */
export class BaggagePropagator implements TextMapPropagator {
  constructor() {
    declareTraits(this, { spanContext: false, baggage: true, checksIds: true });
  }

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    try {
      const baggage = propagation.getBaggage(context);
      if (baggage === undefined || isTracingSuppressed(context)) return;
      const header = serializeBaggage(baggage);
      if (header !== undefined) setter.set(carrier, BAGGAGE_HEADER, header);
    } catch (error) {
      diag.warn('tracehop: baggage inject failed', error);
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    try {
      const source = readSource(getter, carrier, BAGGAGE_HEADER);
      if (source === undefined) return context;
      // §3.3.2: several baggage headers are one list, and the limits apply to their
      // combination. The grammar is ASCII, so bytes are read as Latin-1 (others fail).
      const header = Array.isArray(source) ? (source as Conflicting).join(',') : textOf(source as HeaderSource);
      const baggage = parseBaggageHeader(header);
      return baggage === undefined ? context : withBaggage(context, baggage);
    } catch (error) {
      diag.debug('tracehop: baggage extract failed', error);
      return context;
    }
  }

  fields(): string[] {
    return [BAGGAGE_HEADER];
  }
}
