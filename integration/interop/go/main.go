// Command tracehop-interop-peer is the Go side of tracehop's cross-language tests. It produces
// or consumes messages on a real broker with OpenTelemetry Go's propagators and prints one JSON
// line per message (see report.go), which the TypeScript tests assert on.
//
//	tracehop-interop-peer produce -broker kafka -format tracecontext,baggage -destination T \
//	    -sampled true,false -baggage tenant=acme
//	tracehop-interop-peer consume -broker kafka -format tracecontext,baggage -destination T -count 2
//	tracehop-interop-peer envelope-vectors docs/nsq-envelope.md
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	if len(os.Args) == 3 && os.Args[1] == "envelope-vectors" {
		// Checks envelope.go against the test vectors of docs/nsq-envelope.md (see vectors.go).
		if err := checkVectors(os.Args[2]); err != nil {
			reportError(err)
			os.Exit(1)
		}
		return
	}
	cfg, err := parseConfig(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	// The tests stop a peer with SIGTERM; cancelling lets clients close their connections.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		reportError(err)
		stop()
		os.Exit(1)
	}
}

func run(ctx context.Context, cfg config) error {
	switch cfg.broker {
	case "kafka":
		if cfg.command == "produce" {
			return produceKafka(ctx, cfg)
		}
		return consumeKafka(ctx, cfg)
	case "rabbitmq":
		if cfg.command == "produce" {
			return produceRabbit(ctx, cfg)
		}
		return consumeRabbit(ctx, cfg)
	case "nsq":
		if cfg.command == "produce" {
			return produceNsq(ctx, cfg)
		}
		return consumeNsq(ctx, cfg)
	}
	return fmt.Errorf("unknown broker %q", cfg.broker)
}
