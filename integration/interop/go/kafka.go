package main

import (
	"context"
	"fmt"
	"os"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/plugin/kotel"
)

// Kafka through franz-go. Headers are read and written with kotel's RecordCarrier, the carrier
// franz-go's own OpenTelemetry plugin uses, so the peer behaves like an instrumented Go
// service: header names are matched exactly (case-sensitive) and the first repeated one wins.

func produceKafka(ctx context.Context, cfg config) error {
	prop, _ := propagatorFor(cfg.format)
	client, err := kgo.NewClient(kgo.SeedBrokers(cfg.kafka...), kgo.AllowAutoTopicCreation())
	if err != nil {
		return fmt.Errorf("kafka client: %w", err)
	}
	defer client.Close()
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	base, err := withBaggage(ctx, cfg.baggage)
	if err != nil {
		return err
	}
	for i := range cfg.sampled {
		body := fmt.Sprintf("%s-%d", cfg.bodyPrefix, i)
		spanCtx, span := startProducerSpan(base, cfg, i)
		record := &kgo.Record{Topic: cfg.destination, Value: []byte(body)}
		prop.Inject(spanCtx, kotel.NewRecordCarrier(record))
		err := client.ProduceSync(ctx, record).FirstErr()
		span.End()
		if err != nil {
			return fmt.Errorf("kafka produce to %s: %w", cfg.destination, err)
		}
		reportProduced(cfg, body, spanCtx, kafkaHeaders(record.Headers))
	}
	return nil
}

func consumeKafka(ctx context.Context, cfg config) error {
	prop, _ := propagatorFor(cfg.format)
	// No consumer group: the peer reads every partition from the start, so it sees messages
	// produced before it was ready and needs no group rebalance.
	client, err := kgo.NewClient(
		kgo.SeedBrokers(cfg.kafka...),
		kgo.ConsumeTopics(cfg.destination),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
	)
	if err != nil {
		return fmt.Errorf("kafka client: %w", err)
	}
	defer client.Close()
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	if err := client.Ping(ctx); err != nil {
		return fmt.Errorf("kafka ping: %w", err)
	}
	reportReady(cfg)
	seen := 0
	for seen < cfg.count {
		fetches := client.PollFetches(ctx)
		if ctx.Err() != nil {
			return fmt.Errorf("kafka consume %s: %d of %d messages before %v", cfg.destination, seen, cfg.count, ctx.Err())
		}
		fetches.EachError(func(topic string, partition int32, err error) {
			fmt.Fprintf(os.Stderr, "kafka fetch %s[%d]: %v\n", topic, partition, err)
		})
		fetches.EachRecord(func(record *kgo.Record) {
			if seen >= cfg.count {
				return
			}
			seen++
			extracted := prop.Extract(context.Background(), kotel.NewRecordCarrier(record))
			reportConsumed(cfg, string(record.Value), extracted, kafkaHeaders(record.Headers))
		})
	}
	reportDone(cfg, seen)
	return nil
}

func kafkaHeaders(headers []kgo.RecordHeader) []headerJSON {
	out := make([]headerJSON, 0, len(headers))
	for _, h := range headers {
		out = append(out, headerJSON{h.Key, string(h.Value)})
	}
	return out
}
