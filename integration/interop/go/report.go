package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"

	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/trace"
)

// The JSON-line contract shared with the Java peer and read by integration/interop/support.
// Every line is one object with an "event": ready | produced | consumed | done | error.

type spanJSON struct {
	TraceID string `json:"traceId"`
	SpanID  string `json:"spanId"`
	Sampled bool   `json:"sampled"`
	// Flags is the whole trace-flags byte in hex: "01" sampled, "02" the W3C level 2 random
	// trace id flag, and so on.
	Flags  string `json:"flags"`
	Remote bool   `json:"remote"`
}

// headerJSON is one header as it was on the wire, in order: [name, value]. Names keep their
// case and repeated names stay repeated, so the tests can see exactly what each side wrote.
type headerJSON [2]string

type messageEvent struct {
	Event       string `json:"event"`
	Peer        string `json:"peer"`
	Broker      string `json:"broker"`
	Format      string `json:"format"`
	Destination string `json:"destination"`
	Body        string `json:"body"`
	// Extracted is the context read from the message (consumers); null when none was valid.
	Extracted *spanJSON `json:"extracted,omitempty"`
	// Span is the producer span that was injected (producers), or the consumer's own span.
	Span    spanJSON          `json:"span"`
	Baggage map[string]string `json:"baggage"`
	Headers []headerJSON      `json:"headers"`
}

var stdout = struct {
	sync.Mutex
	enc *json.Encoder
}{enc: json.NewEncoder(os.Stdout)}

func emit(v any) {
	if m, ok := v.(messageEvent); ok && m.Headers == nil {
		m.Headers = []headerJSON{} // "no headers" is [], never null
		v = m
	}
	stdout.Lock()
	defer stdout.Unlock()
	_ = stdout.enc.Encode(v)
}

func reportReady(cfg config) {
	emit(map[string]string{"event": "ready", "peer": "go", "broker": cfg.broker, "destination": cfg.destination})
}

func reportDone(cfg config, n int) {
	emit(map[string]any{"event": "done", "peer": "go", "broker": cfg.broker, "destination": cfg.destination, "count": n})
}

func reportError(err error) {
	emit(map[string]string{"event": "error", "peer": "go", "message": err.Error()})
}

func spanOf(sc trace.SpanContext) spanJSON {
	return spanJSON{
		TraceID: sc.TraceID().String(), SpanID: sc.SpanID().String(), Sampled: sc.IsSampled(),
		Flags: sc.TraceFlags().String(), Remote: sc.IsRemote(),
	}
}

func baggageOf(ctx context.Context) map[string]string {
	out := map[string]string{}
	for _, m := range baggage.FromContext(ctx).Members() {
		out[m.Key()] = m.Value()
	}
	return out
}

func reportProduced(cfg config, body string, ctx context.Context, headers []headerJSON) {
	emit(messageEvent{
		Event: "produced", Peer: "go", Broker: cfg.broker, Format: cfg.format, Destination: cfg.destination, Body: body,
		Span: spanOf(trace.SpanContextFromContext(ctx)), Baggage: baggageOf(ctx), Headers: headers,
	})
}

// reportConsumed reports what extraction found and the span the consumer then started.
func reportConsumed(cfg config, body string, extracted context.Context, headers []headerJSON) {
	event := messageEvent{
		Event: "consumed", Peer: "go", Broker: cfg.broker, Format: cfg.format, Destination: cfg.destination, Body: body,
		Baggage: baggageOf(extracted), Headers: headers,
	}
	if sc := trace.SpanContextFromContext(extracted); sc.IsValid() {
		s := spanOf(sc)
		event.Extracted = &s
	}
	span := startConsumerSpan(extracted, cfg)
	event.Span = spanOf(span.SpanContext())
	span.End()
	emit(event)
}

// headerText renders a header value that a broker client decoded into a Go value.
func headerText(value any) string {
	switch v := value.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	default:
		return fmt.Sprint(v)
	}
}
