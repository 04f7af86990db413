package main

import (
	"context"
	"fmt"
	"sort"

	amqp "github.com/rabbitmq/amqp091-go"
)

// RabbitMQ through amqp091-go. Messages go through the default exchange to a queue named by
// -destination; the queue is declared with the same arguments the tests use (non-durable,
// not exclusive, not auto-deleted), so either side may declare it first.

func openRabbit(cfg config) (*amqp.Connection, *amqp.Channel, error) {
	conn, err := amqp.Dial(cfg.amqpURL)
	if err != nil {
		return nil, nil, fmt.Errorf("amqp dial: %w", err)
	}
	ch, err := conn.Channel()
	if err != nil {
		conn.Close()
		return nil, nil, fmt.Errorf("amqp channel: %w", err)
	}
	if _, err := ch.QueueDeclare(cfg.destination, false, false, false, false, nil); err != nil {
		conn.Close()
		return nil, nil, fmt.Errorf("amqp declare %s: %w", cfg.destination, err)
	}
	return conn, ch, nil
}

func produceRabbit(ctx context.Context, cfg config) error {
	prop, _ := propagatorFor(cfg.format)
	conn, ch, err := openRabbit(cfg)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := ch.Confirm(false); err != nil {
		return fmt.Errorf("amqp confirm mode: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	base, err := withBaggage(ctx, cfg.baggage)
	if err != nil {
		return err
	}
	for i := range cfg.sampled {
		body := fmt.Sprintf("%s-%d", cfg.bodyPrefix, i)
		spanCtx, span := startProducerSpan(base, cfg, i)
		headers := amqp.Table{}
		prop.Inject(spanCtx, tableCarrier(headers))
		confirm, err := ch.PublishWithDeferredConfirmWithContext(ctx, "", cfg.destination, false, false,
			amqp.Publishing{Headers: headers, Body: []byte(body)})
		if err == nil {
			var ok bool
			ok, err = confirm.WaitContext(ctx)
			if err == nil && !ok {
				err = fmt.Errorf("broker nacked the message")
			}
		}
		span.End()
		if err != nil {
			return fmt.Errorf("amqp publish to %s: %w", cfg.destination, err)
		}
		reportProduced(cfg, body, spanCtx, tableHeaders(headers))
	}
	return nil
}

func consumeRabbit(ctx context.Context, cfg config) error {
	prop, _ := propagatorFor(cfg.format)
	conn, ch, err := openRabbit(cfg)
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	deliveries, err := ch.ConsumeWithContext(ctx, cfg.destination, "", false, false, false, false, nil)
	if err != nil {
		return fmt.Errorf("amqp consume %s: %w", cfg.destination, err)
	}
	reportReady(cfg)
	seen := 0
	for seen < cfg.count {
		select {
		case <-ctx.Done():
			return fmt.Errorf("amqp consume %s: %d of %d messages before %v", cfg.destination, seen, cfg.count, ctx.Err())
		case d, open := <-deliveries:
			if !open {
				return fmt.Errorf("amqp consume %s: channel closed after %d of %d messages", cfg.destination, seen, cfg.count)
			}
			seen++
			extracted := prop.Extract(context.Background(), tableCarrier(d.Headers))
			reportConsumed(cfg, string(d.Body), extracted, tableHeaders(d.Headers))
			if err := d.Ack(false); err != nil {
				return fmt.Errorf("amqp ack: %w", err)
			}
		}
	}
	reportDone(cfg, seen)
	return nil
}

// tableCarrier reads and writes AMQP headers for OpenTelemetry propagators. amqp091-go has no
// carrier of its own; like the ones in its users' code, this one matches names exactly.
// Strings are written as AMQP long strings; long strings and byte arrays are read.
type tableCarrier amqp.Table

func (c tableCarrier) Get(key string) string {
	switch v := c[key].(type) {
	case string:
		return v
	case []byte:
		return string(v)
	}
	return ""
}

func (c tableCarrier) Set(key, value string) { c[key] = value }

func (c tableCarrier) Keys() []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	return keys
}

// tableHeaders lists AMQP headers sorted by name (a field table has no reliable order).
func tableHeaders(table amqp.Table) []headerJSON {
	out := make([]headerJSON, 0, len(table))
	for k, v := range table {
		out = append(out, headerJSON{k, headerText(v)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}
