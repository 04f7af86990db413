package main

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// config is one run of the peer: a command, a broker, a propagation format and a destination.
type config struct {
	command     string
	broker      string
	format      string
	destination string
	// sampled has one entry per message to produce: the sampling decision of its producer span.
	sampled []bool
	// baggage is put in the context of every produced message.
	baggage map[string]string
	// bodyPrefix names the produced messages: "<prefix>-<index>".
	bodyPrefix string
	// count is how many messages a consumer waits for before it exits.
	count   int
	timeout time.Duration
	kafka   []string
	amqpURL string
	nsqd    string
}

const usage = `usage: tracehop-interop-peer <produce|consume> -broker kafka|rabbitmq|nsq -format NAMES -destination NAME [flags]`

func parseConfig(args []string) (config, error) {
	if len(args) == 0 || (args[0] != "produce" && args[0] != "consume") {
		return config{}, errors.New(usage)
	}
	cfg := config{command: args[0], baggage: map[string]string{}}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.StringVar(&cfg.broker, "broker", "", "kafka, rabbitmq or nsq")
	fs.StringVar(&cfg.format, "format", "tracecontext,baggage", "propagator names, as in OTEL_PROPAGATORS")
	fs.StringVar(&cfg.destination, "destination", "", "Kafka topic, RabbitMQ queue or NSQ topic")
	sampled := fs.String("sampled", "true", "produce: one sampling decision per message, comma-separated")
	fs.Var(baggageFlag{&cfg.baggage}, "baggage", "produce: a baggage member key=value (raw value), repeatable")
	fs.StringVar(&cfg.bodyPrefix, "body-prefix", "go", "produce: message bodies are <prefix>-<index>")
	fs.IntVar(&cfg.count, "count", 1, "consume: messages to wait for")
	fs.DurationVar(&cfg.timeout, "timeout", 60*time.Second, "give up after this long")
	kafka := fs.String("kafka", "127.0.0.1:9092", "Kafka bootstrap servers, comma-separated")
	fs.StringVar(&cfg.amqpURL, "amqp", "amqp://guest:guest@127.0.0.1:5672", "RabbitMQ URL")
	fs.StringVar(&cfg.nsqd, "nsqd", "127.0.0.1:4150", "nsqd TCP address")
	if err := fs.Parse(args[1:]); err != nil {
		return config{}, err
	}
	if cfg.broker == "" || cfg.destination == "" {
		return config{}, errors.New(usage)
	}
	if _, err := propagatorFor(cfg.format); err != nil {
		return config{}, err
	}
	for _, s := range strings.Split(*sampled, ",") {
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return config{}, fmt.Errorf("-sampled: %w", err)
		}
		cfg.sampled = append(cfg.sampled, b)
	}
	cfg.kafka = strings.Split(*kafka, ",")
	return cfg, nil
}

// baggageFlag collects repeated -baggage key=value flags. The value is everything after the
// first '=' (a W3C baggage key never contains one), so values may hold any character.
type baggageFlag struct{ members *map[string]string }

func (f baggageFlag) String() string { return "" }

func (f baggageFlag) Set(member string) error {
	key, value, ok := strings.Cut(member, "=")
	if !ok || key == "" {
		return fmt.Errorf("want key=value, got %q", member)
	}
	(*f.members)[key] = value
	return nil
}
