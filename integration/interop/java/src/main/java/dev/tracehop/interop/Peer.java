package dev.tracehop.interop;

/**
 * The Java side of tracehop's cross-language tests: produces or consumes Kafka records through
 * OpenTelemetry Java's KafkaTelemetry and prints one JSON line per message (see JsonLines).
 *
 * <pre>
 * produce -broker kafka -format b3multi -destination T -sampled true,false -baggage tenant=acme
 * consume -broker kafka -format b3multi -destination T -count 2 -timeout 60s
 * </pre>
 */
public final class Peer {
  private Peer() {}

  public static void main(String[] args) {
    // kafka-clients logs through SLF4J: keep stdout for the JSON lines, warnings go to stderr.
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
    PeerConfig config;
    try {
      config = PeerConfig.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    int status = 0;
    try (Telemetry telemetry = new Telemetry(config.format())) {
      if (config.command().equals("produce")) {
        new KafkaProduce(config, telemetry).run();
      } else {
        new KafkaConsume(config, telemetry).run();
      }
    } catch (Exception e) {
      JsonLines.error(e);
      status = 1;
    }
    // The Kafka clients' threads are closed by now; exit explicitly all the same.
    System.exit(status);
  }
}
