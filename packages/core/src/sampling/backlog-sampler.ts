import type { Attributes, Context, Link, SpanKind } from '@opentelemetry/api';
import { SpanKind as Kind } from '@opentelemetry/api';
import { samplingOf } from './sampling-registry.js';
import { keepsTrace } from './trace-id-decision.js';

/** The SDK's `SamplingDecision` values (structural: core does not depend on the SDK). */
const NOT_RECORD = 0;
const RECORD_AND_SAMPLED = 2;

/** The part of an OpenTelemetry SDK `Sampler` used here. */
export interface SamplerLike {
  shouldSample(context: Context, traceId: string, spanName: string, spanKind: SpanKind, attributes: Attributes, links: Link[]): { decision: number; attributes?: Attributes };
  toString(): string;
}

/**
 * An OpenTelemetry `Sampler` applying the backlog rule to CONSUMER spans, for users who compose
 * their own samplers (e.g. `new ParentBasedSampler({ root, remoteParentSampled: new
 * BacklogSampler(...) })`): a consumer span of a destination that a tracehop consumer samples
 * by backlog is kept by the same trace-id decision at that consumer's current rate; every other
 * span goes to `delegate` (default: keep). Use it, or the wrappers' own `sampling` option, not
 * both on the same spans.
 */
export class BacklogSampler implements SamplerLike {
  readonly #delegate: SamplerLike | undefined;

  constructor(options: { delegate?: SamplerLike } = {}) {
    this.#delegate = options.delegate;
  }

  shouldSample(context: Context, traceId: string, spanName: string, spanKind: SpanKind, attributes: Attributes, links: Link[]) {
    const destination = attributes['messaging.destination.name'];
    const sampling = spanKind === Kind.CONSUMER && typeof destination === 'string' ? samplingOf(destination) : undefined;
    if (sampling === undefined) return this.#delegate?.shouldSample(context, traceId, spanName, spanKind, attributes, links) ?? { decision: RECORD_AND_SAMPLED };
    return keepsTrace(traceId, sampling.rate) ? { decision: RECORD_AND_SAMPLED, attributes: sampling.attributes() } : { decision: NOT_RECORD };
  }

  toString(): string {
    return `BacklogSampler{delegate=${this.#delegate?.toString() ?? 'always'}}`;
  }
}
