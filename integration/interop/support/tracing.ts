import type { Attributes, Context, Span, SpanContext } from '@opentelemetry/api';
import { ROOT_CONTEXT, context, propagation, trace } from '@opentelemetry/api';
import {
  SamplingDecision,
  type BasicTracerProvider,
  type ReadableSpan,
  type Sampler,
  type SamplingResult,
} from '@opentelemetry/sdk-trace-base';
import { createTracing } from '../../support/tracing.js';
import type { PeerSpan } from './peer-events.js';

/** Set on a root span to choose its sampling decision, as the peers' `-sampled` does. */
export const SAMPLED_ATTRIBUTE = 'tracehop.interop.sampled';

/**
 * Follows the parent's sampled flag, like the SDK's default parent-based sampler, but RECORDS
 * unsampled spans instead of dropping them (flags stay 00), so that tests can read the ids and
 * parents of unsampled spans too. Same policy as the Java peer's sampler.
 */
class DecisionSampler implements Sampler {
  shouldSample(parent: Context, _traceId: string, _name: string, _kind: unknown, attributes: Attributes): SamplingResult {
    const parentSpan = trace.getSpanContext(parent);
    const sampled = parentSpan !== undefined ? (parentSpan.traceFlags & 1) === 1 : attributes[SAMPLED_ATTRIBUTE] !== false;
    return { decision: sampled ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.RECORD };
  }

  toString(): string {
    return 'DecisionSampler';
  }
}

/** Keeps every ended span, sampled or not (the SDK's exporting processors skip unsampled ones). */
export interface RecordingTracing {
  readonly provider: BasicTracerProvider;
  /** Ended spans with this name, in the order they ended. */
  spansNamed(name: string): ReadableSpan[];
  /**
   * Runs `work` inside a new root span whose sampling decision is `sampled`, with `baggage`
   * active, as an application would before it publishes; ends the span after.
   */
  inRootSpan<T>(name: string, sampled: boolean, baggage: Readonly<Record<string, string>>, work: (span: Span) => Promise<T>): Promise<T>;
}

/** A tracer provider for tracehop's side of an interop test (not registered globally). */
export function createRecordingTracing(): RecordingTracing {
  // The shared harness, with the sampler that lets a test choose each trace's decision.
  const { provider, spansNamed } = createTracing({ sampler: new DecisionSampler(), recordUnsampled: true });
  const tracer = provider.getTracer('tracehop-interop-test');
  return {
    provider,
    spansNamed,
    async inRootSpan(name, sampled, baggage, work) {
      const span = tracer.startSpan(name, { attributes: { [SAMPLED_ATTRIBUTE]: sampled } }, ROOT_CONTEXT);
      const entries = Object.fromEntries(Object.entries(baggage).map(([key, value]) => [key, { value }]));
      const active = propagation.setBaggage(trace.setSpan(ROOT_CONTEXT, span), propagation.createBaggage(entries));
      try {
        return await context.with(active, () => work(span));
      } finally {
        span.end();
      }
    },
  };
}

/** A span context in the peers' JSON shape, for exact comparisons. */
export function asPeerSpan(spanContext: SpanContext, remote = spanContext.isRemote === true): PeerSpan {
  return {
    traceId: spanContext.traceId,
    spanId: spanContext.spanId,
    sampled: (spanContext.traceFlags & 1) === 1,
    flags: spanContext.traceFlags.toString(16).padStart(2, '0'),
    remote,
  };
}
