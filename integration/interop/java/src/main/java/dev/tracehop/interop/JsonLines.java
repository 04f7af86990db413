package dev.tracehop.interop;

import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.SpanContext;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The JSON-line contract shared with the Go peer (see go/report.go): one object per line with an
 * "event" of ready, produced, consumed, done or error. Written by hand to need no JSON library.
 */
final class JsonLines {
  private JsonLines() {}

  static void ready(PeerConfig config) {
    print("{\"event\":\"ready\",\"peer\":\"java\",\"broker\":\"kafka\",\"destination\":" + str(config.destination()) + "}");
  }

  static void done(PeerConfig config, int count) {
    print("{\"event\":\"done\",\"peer\":\"java\",\"broker\":\"kafka\",\"destination\":" + str(config.destination())
        + ",\"count\":" + count + "}");
  }

  static void error(Exception e) {
    print("{\"event\":\"error\",\"peer\":\"java\",\"message\":" + str(String.valueOf(e)) + "}");
  }

  /** A produced record: `span` is the PRODUCER span KafkaTelemetry injected. */
  static void produced(PeerConfig config, String body, SpanContext span, Baggage baggage, Headers headers) {
    print(message("produced", config, body, null, span, baggage, headers));
  }

  /** A consumed record: `extracted` is the parent of KafkaTelemetry's process span, `span` that span. */
  static void consumed(PeerConfig config, String body, SpanContext extracted, SpanContext span, Baggage baggage, Headers headers) {
    print(message("consumed", config, body, extracted, span, baggage, headers));
  }

  private static String message(
      String event, PeerConfig config, String body, SpanContext extracted, SpanContext span, Baggage baggage, Headers headers) {
    StringBuilder out = new StringBuilder("{\"event\":").append(str(event))
        .append(",\"peer\":\"java\",\"broker\":\"kafka\",\"format\":").append(str(config.format()))
        .append(",\"destination\":").append(str(config.destination()))
        .append(",\"body\":").append(str(body));
    if (extracted != null && extracted.isValid()) out.append(",\"extracted\":").append(span(extracted));
    out.append(",\"span\":").append(span(span));
    Map<String, String> members = new TreeMap<>();
    baggage.forEach((key, entry) -> members.put(key, entry.getValue()));
    out.append(",\"baggage\":{");
    String sep = "";
    for (Map.Entry<String, String> member : members.entrySet()) {
      out.append(sep).append(str(member.getKey())).append(':').append(str(member.getValue()));
      sep = ",";
    }
    out.append("},\"headers\":[");
    sep = "";
    for (Header header : headers) {
      String value = header.value() == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
      out.append(sep).append('[').append(str(header.key())).append(',').append(str(value)).append(']');
      sep = ",";
    }
    return out.append("]}").toString();
  }

  private static String span(SpanContext context) {
    return "{\"traceId\":" + str(context.getTraceId()) + ",\"spanId\":" + str(context.getSpanId())
        + ",\"sampled\":" + context.isSampled() + ",\"flags\":" + str(context.getTraceFlags().asHex())
        + ",\"remote\":" + context.isRemote() + "}";
  }

  private static String str(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
          else out.append(c);
        }
      }
    }
    return out.append('"').toString();
  }

  private static synchronized void print(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
