package dev.tracehop.interop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One run of the peer; the same flags as the Go peer (single or double dash, `-f v` or `-f=v`). */
record PeerConfig(
    String command,
    String format,
    String destination,
    List<Boolean> sampled,
    Map<String, String> baggage,
    String bodyPrefix,
    int count,
    Duration timeout,
    String kafka) {

  private static final String USAGE =
      "usage: Peer <produce|consume> -broker kafka -format NAMES -destination NAME [flags]";

  static PeerConfig parse(String[] args) {
    if (args.length == 0 || !(args[0].equals("produce") || args[0].equals("consume"))) {
      throw new IllegalArgumentException(USAGE);
    }
    String broker = null;
    String format = "tracecontext,baggage";
    String destination = null;
    List<Boolean> sampled = List.of(true);
    Map<String, String> baggage = new LinkedHashMap<>();
    String bodyPrefix = "java";
    int count = 1;
    Duration timeout = Duration.ofSeconds(60);
    String kafka = "127.0.0.1:9092";
    for (int i = 1; i < args.length; i++) {
      String name = args[i].replaceFirst("^--?", "");
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new IllegalArgumentException("flag -" + name + " needs a value");
      }
      switch (name) {
        case "broker" -> broker = value;
        case "format" -> format = value;
        case "destination" -> destination = value;
        case "sampled" -> sampled = parseBooleans(value);
        case "baggage" -> {
          int cut = value.indexOf('=');
          if (cut <= 0) throw new IllegalArgumentException("-baggage wants key=value, got " + value);
          baggage.put(value.substring(0, cut), value.substring(cut + 1));
        }
        case "body-prefix" -> bodyPrefix = value;
        case "count" -> count = Integer.parseInt(value);
        case "timeout" -> timeout = parseDuration(value);
        case "kafka" -> kafka = value;
        default -> throw new IllegalArgumentException("unknown flag -" + name);
      }
    }
    if (!"kafka".equals(broker)) throw new IllegalArgumentException("the Java peer speaks Kafka only (-broker kafka)");
    if (destination == null) throw new IllegalArgumentException(USAGE);
    Propagators.forNames(format); // fails early on an unknown name
    return new PeerConfig(args[0], format, destination, sampled, baggage, bodyPrefix, count, timeout, kafka);
  }

  private static List<Boolean> parseBooleans(String list) {
    List<Boolean> out = new ArrayList<>();
    for (String item : list.split(",")) {
      switch (item.trim()) {
        case "true", "1" -> out.add(true);
        case "false", "0" -> out.add(false);
        default -> throw new IllegalArgumentException("-sampled: not a boolean: " + item);
      }
    }
    return out;
  }

  /** Go-style durations as the tests write them: 500ms, 30s, 2m. */
  private static Duration parseDuration(String text) {
    if (text.endsWith("ms")) return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
    if (text.endsWith("s")) return Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)));
    if (text.endsWith("m")) return Duration.ofMinutes(Long.parseLong(text.substring(0, text.length() - 1)));
    throw new IllegalArgumentException("-timeout: want 500ms, 30s or 2m, got " + text);
  }
}
