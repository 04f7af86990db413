package main

import (
	"fmt"
	"strings"

	"go.opentelemetry.io/contrib/propagators/b3"
	"go.opentelemetry.io/otel/propagation"
)

// propagatorFor builds a propagator from OTEL_PROPAGATORS-style names, the way the
// OpenTelemetry Go autoprop package maps them: tracecontext, baggage, b3 (single header),
// b3multi (multiple headers).
func propagatorFor(names string) (propagation.TextMapPropagator, error) {
	var list []propagation.TextMapPropagator
	for _, name := range strings.Split(names, ",") {
		switch strings.TrimSpace(name) {
		case "tracecontext":
			list = append(list, propagation.TraceContext{})
		case "baggage":
			list = append(list, propagation.Baggage{})
		case "b3":
			list = append(list, b3.New(b3.WithInjectEncoding(b3.B3SingleHeader)))
		case "b3multi":
			list = append(list, b3.New(b3.WithInjectEncoding(b3.B3MultipleHeader)))
		default:
			return nil, fmt.Errorf("-format: unknown propagator %q", name)
		}
	}
	return propagation.NewCompositeTextMapPropagator(list...), nil
}
