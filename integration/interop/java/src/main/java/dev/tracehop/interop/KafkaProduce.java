package dev.tracehop.interop;

import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.baggage.BaggageBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends one record per `-sampled` entry through a KafkaTelemetry-wrapped producer. Each send runs
 * inside an application span carrying the baggage, so KafkaTelemetry's PRODUCER span is its child
 * and is what gets injected, as in an instrumented Java service.
 */
final class KafkaProduce {
  private final PeerConfig config;
  private final Telemetry telemetry;

  KafkaProduce(PeerConfig config, Telemetry telemetry) {
    this.config = config;
    this.telemetry = telemetry;
  }

  void run() throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka());
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) config.timeout().toMillis());
    Tracer tracer = telemetry.sdk.getTracer("dev.tracehop.interop");
    BaggageBuilder builder = Baggage.builder();
    config.baggage().forEach(builder::put);
    Baggage baggage = builder.build();
    try (Producer<String, String> producer = telemetry.kafka.wrap(new KafkaProducer<String, String>(props))) {
      for (int i = 0; i < config.sampled().size(); i++) {
        String body = config.bodyPrefix() + "-" + i;
        Span app = tracer.spanBuilder("produce " + config.destination()).setNoParent()
            .setAttribute(Telemetry.SAMPLED, config.sampled().get(i)).startSpan();
        ProducerRecord<String, String> record = new ProducerRecord<>(config.destination(), body);
        try (Scope ignored = Context.root().with(baggage).with(app).makeCurrent()) {
          producer.send(record).get(config.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } finally {
          app.end();
        }
        // The send future completes after KafkaTelemetry's callback has ended its span.
        SpanData publish = telemetry.childOf(app.getSpanContext().getSpanId(), SpanKind.PRODUCER);
        JsonLines.produced(config, body, publish.getSpanContext(), baggage, record.headers());
      }
    }
  }
}
