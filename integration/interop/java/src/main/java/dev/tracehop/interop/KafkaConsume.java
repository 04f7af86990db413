package dev.tracehop.interop;

import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.sdk.trace.ReadableSpan;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads `-count` records through a KafkaTelemetry-wrapped consumer. Iterating the polled records
 * makes KafkaTelemetry start a "process" span per record, with the context it extracted from the
 * headers as parent and the extracted baggage current: that parent and baggage are reported.
 */
final class KafkaConsume {
  private final PeerConfig config;
  private final Telemetry telemetry;

  KafkaConsume(PeerConfig config, Telemetry telemetry) {
    this.config = config;
    this.telemetry = telemetry;
  }

  void run() throws Exception {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka());
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    long deadline = System.nanoTime() + config.timeout().toNanos();
    try (Consumer<String, String> consumer = telemetry.kafka.wrap(new KafkaConsumer<String, String>(props))) {
      // No group: read every partition from the start, with no rebalance to wait for.
      List<TopicPartition> partitions = partitions(consumer, deadline);
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      JsonLines.ready(config);
      int seen = 0;
      while (seen < config.count()) {
        if (System.nanoTime() > deadline) {
          throw new TimeoutException(seen + " of " + config.count() + " records from " + config.destination() + " in " + config.timeout());
        }
        ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
        for (ConsumerRecord<String, String> record : records) {
          if (seen >= config.count()) break;
          seen++;
          Span process = Span.current();
          SpanContext parent = process instanceof ReadableSpan readable ? readable.getParentSpanContext() : SpanContext.getInvalid();
          JsonLines.consumed(config, record.value(), parent, process.getSpanContext(), Baggage.current(), record.headers());
        }
      }
      JsonLines.done(config, seen);
    }
  }

  /** Waits for the topic's metadata (the test creates the topic just before). */
  private List<TopicPartition> partitions(Consumer<String, String> consumer, long deadline) throws Exception {
    while (true) {
      List<PartitionInfo> infos = consumer.partitionsFor(config.destination(), Duration.ofSeconds(5));
      if (infos != null && !infos.isEmpty()) {
        return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      }
      if (System.nanoTime() > deadline) throw new TimeoutException("no partitions for " + config.destination());
      Thread.sleep(200);
    }
  }
}
