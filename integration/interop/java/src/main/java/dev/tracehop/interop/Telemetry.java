package dev.tracehop.interop;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.instrumentation.kafkaclients.v2_6.KafkaTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The OpenTelemetry Java SDK and KafkaTelemetry, configured for one format. */
final class Telemetry implements AutoCloseable {
  /** Set on a root span to choose its sampling decision (the producer's `-sampled`). */
  static final AttributeKey<Boolean> SAMPLED = AttributeKey.booleanKey("tracehop.interop.sampled");

  final OpenTelemetrySdk sdk;
  final KafkaTelemetry kafka;
  private final List<SpanData> ended = new CopyOnWriteArrayList<>();

  Telemetry(String format) {
    SdkTracerProvider provider =
        SdkTracerProvider.builder().setSampler(new DecisionSampler()).addSpanProcessor(new Collector()).build();
    sdk =
        OpenTelemetrySdk.builder()
            .setTracerProvider(provider)
            .setPropagators(ContextPropagators.create(Propagators.forNames(format)))
            .build();
    kafka = KafkaTelemetry.create(sdk);
  }

  /** The ended span of this kind whose parent is `parentSpanId`. */
  SpanData childOf(String parentSpanId, SpanKind kind) {
    return ended.stream()
        .filter(s -> s.getKind() == kind && s.getParentSpanId().equals(parentSpanId))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no " + kind + " span under " + parentSpanId));
  }

  @Override
  public void close() {
    sdk.close();
  }

  /** Keeps every ended span, sampled or not, so unsampled spans can be reported too. */
  private final class Collector implements SpanProcessor {
    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {}

    @Override
    public boolean isStartRequired() {
      return false;
    }

    @Override
    public void onEnd(ReadableSpan span) {
      ended.add(span.toSpanData());
    }

    @Override
    public boolean isEndRequired() {
      return true;
    }
  }

  /**
   * Follows the parent's sampled flag like the SDK's default parent-based sampler, but RECORDS
   * unsampled spans instead of dropping them (RECORD_ONLY keeps the flag at 00), so the peer can
   * report their ids and parents. A root span is sampled unless it says otherwise (SAMPLED).
   */
  private static final class DecisionSampler implements Sampler {
    @Override
    public SamplingResult shouldSample(
        Context parentContext, String traceId, String name, SpanKind spanKind, Attributes attributes, List<LinkData> parentLinks) {
      SpanContext parent = Span.fromContext(parentContext).getSpanContext();
      boolean sampled = parent.isValid() ? parent.isSampled() : !Boolean.FALSE.equals(attributes.get(SAMPLED));
      return sampled ? SamplingResult.recordAndSample() : SamplingResult.recordOnly();
    }

    @Override
    public String getDescription() {
      return "DecisionSampler";
    }
  }
}
