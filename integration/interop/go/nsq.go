package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/nsqio/go-nsq"
)

// NSQ through go-nsq. NSQ messages have no headers: the context travels in tracehop's body
// envelope (docs/nsq-envelope.md), implemented for Go in envelope.go.

const nsqChannel = "tracehop-interop"

var nsqLog = log.New(os.Stderr, "go-nsq ", log.LstdFlags)

func produceNsq(ctx context.Context, cfg config) error {
	prop, _ := propagatorFor(cfg.format)
	producer, err := nsq.NewProducer(cfg.nsqd, nsq.NewConfig())
	if err != nil {
		return fmt.Errorf("nsq producer: %w", err)
	}
	producer.SetLogger(nsqLog, nsq.LogLevelWarning)
	defer producer.Stop()
	base, err := withBaggage(ctx, cfg.baggage)
	if err != nil {
		return err
	}
	for i := range cfg.sampled {
		payload := fmt.Sprintf("%s-%d", cfg.bodyPrefix, i)
		spanCtx, span := startProducerSpan(base, cfg, i)
		headers := &envelopeCarrier{}
		prop.Inject(spanCtx, headers)
		body, err := encodeEnvelope(headers.pairs, []byte(payload))
		if err == nil {
			err = producer.Publish(cfg.destination, body)
		}
		span.End()
		if err != nil {
			return fmt.Errorf("nsq publish to %s: %w", cfg.destination, err)
		}
		reportProduced(cfg, payload, spanCtx, headers.pairs)
	}
	return nil
}

func consumeNsq(ctx context.Context, cfg config) error {
	prop, _ := propagatorFor(cfg.format)
	consumer, err := nsq.NewConsumer(cfg.destination, nsqChannel, nsq.NewConfig())
	if err != nil {
		return fmt.Errorf("nsq consumer: %w", err)
	}
	consumer.SetLogger(nsqLog, nsq.LogLevelWarning)
	received := make(chan struct{}, cfg.count)
	consumer.AddHandler(nsq.HandlerFunc(func(m *nsq.Message) error {
		// A body that is not an envelope is the payload itself, with no context (§5).
		env, ok := decodeEnvelope(m.Body)
		if !ok {
			env = envelope{payload: m.Body}
		}
		carrier := &envelopeCarrier{pairs: env.headers}
		reportConsumed(cfg, string(env.payload), prop.Extract(context.Background(), carrier), env.headers)
		select {
		case received <- struct{}{}:
		default: // more than -count: never block the handler, or Stop would wait for it
		}
		return nil // finishes the message
	}))
	if err := consumer.ConnectToNSQD(cfg.nsqd); err != nil {
		return fmt.Errorf("nsq connect %s: %w", cfg.nsqd, err)
	}
	defer func() {
		consumer.Stop()
		<-consumer.StopChan
	}()
	reportReady(cfg)
	timeout := time.NewTimer(cfg.timeout)
	defer timeout.Stop()
	for seen := 0; seen < cfg.count; seen++ {
		select {
		case <-received:
		case <-ctx.Done():
			return fmt.Errorf("nsq consume %s: %d of %d messages before %v", cfg.destination, seen, cfg.count, ctx.Err())
		case <-timeout.C:
			return fmt.Errorf("nsq consume %s: %d of %d messages in %s", cfg.destination, seen, cfg.count, cfg.timeout)
		}
	}
	reportDone(cfg, cfg.count)
	return nil
}

// envelopeCarrier holds envelope headers in order, for OpenTelemetry propagators. Names are
// matched exactly and the first of a repeated name wins, as kotel does for Kafka headers.
type envelopeCarrier struct {
	pairs []headerJSON
}

func (c *envelopeCarrier) Get(key string) string {
	for _, h := range c.pairs {
		if h[0] == key {
			return h[1]
		}
	}
	return ""
}

func (c *envelopeCarrier) Set(key, value string) {
	for i, h := range c.pairs {
		if h[0] == key {
			c.pairs[i][1] = value
			return
		}
	}
	c.pairs = append(c.pairs, headerJSON{key, value})
}

func (c *envelopeCarrier) Keys() []string {
	keys := make([]string, 0, len(c.pairs))
	for _, h := range c.pairs {
		keys = append(keys, h[0])
	}
	return keys
}
