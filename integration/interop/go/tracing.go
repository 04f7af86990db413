package main

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/baggage"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

const scope = "tracehop.dev/integration/interop/go"

// Spans are never exported: the peer reports span contexts on stdout instead. A non-recording
// span still has a real span context (a fresh span id, flags 00), which is what gets injected
// for a message whose producer span was not sampled.
var (
	sampledTracer   = sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample())).Tracer(scope)
	unsampledTracer = sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample())).Tracer(scope)
	// The consumer follows its parent's decision, as an SDK configured by default does.
	consumerTracer = sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.AlwaysSample()))).Tracer(scope)
)

// withBaggage returns ctx carrying the configured baggage. Values are given raw and are
// percent-encoded by the W3C baggage propagator on inject.
func withBaggage(ctx context.Context, members map[string]string) (context.Context, error) {
	list := make([]baggage.Member, 0, len(members))
	for key, value := range members {
		member, err := baggage.NewMemberRaw(key, value)
		if err != nil {
			return ctx, fmt.Errorf("baggage member %q: %w", key, err)
		}
		list = append(list, member)
	}
	bag, err := baggage.New(list...)
	if err != nil {
		return ctx, err
	}
	return baggage.ContextWithBaggage(ctx, bag), nil
}

// startProducerSpan starts the span whose context is injected into message i.
func startProducerSpan(ctx context.Context, cfg config, i int) (context.Context, trace.Span) {
	tracer := unsampledTracer
	if cfg.sampled[i] {
		tracer = sampledTracer
	}
	return tracer.Start(ctx, "send "+cfg.destination, trace.WithSpanKind(trace.SpanKindProducer))
}

// startConsumerSpan continues the extracted context the way a Go service would.
func startConsumerSpan(extracted context.Context, cfg config) trace.Span {
	_, span := consumerTracer.Start(extracted, "process "+cfg.destination, trace.WithSpanKind(trace.SpanKindConsumer))
	return span
}
