package dev.tracehop.interop;

import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.extension.trace.propagation.B3Propagator;
import java.util.ArrayList;
import java.util.List;

/** OTEL_PROPAGATORS-style names to the Java SDK's propagators, as its autoconfigure maps them. */
final class Propagators {
  private Propagators() {}

  static TextMapPropagator forNames(String names) {
    List<TextMapPropagator> list = new ArrayList<>();
    for (String name : names.split(",")) {
      switch (name.trim()) {
        case "tracecontext" -> list.add(W3CTraceContextPropagator.getInstance());
        case "baggage" -> list.add(W3CBaggagePropagator.getInstance());
        case "b3" -> list.add(B3Propagator.injectingSingleHeader());
        case "b3multi" -> list.add(B3Propagator.injectingMultiHeaders());
        default -> throw new IllegalArgumentException("-format: unknown propagator " + name);
      }
    }
    return TextMapPropagator.composite(list);
  }
}
