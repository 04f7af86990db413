// The `handrolled` and `raw-header` variants' shared pieces (issue 18): what a careful user
// writes by hand instead of tracehop. `handrolled` uses the stock W3C propagators through the
// global propagator (telemetry.ts registers the composite NodeSDK registers by default), one
// PRODUCER span per message, one CONSUMER span per message around the handler, ended at
// settlement; `raw-header` carries a fixed traceparent's bytes and nothing else.
import { ROOT_CONTEXT, context, propagation, trace, SpanKind, type Attributes, type Context, type Span, type TextMapGetter } from '@opentelemetry/api';

/** The header bytes `raw-header` carries: what the propagators write for the bench's upstream context. */
export const FIXED_TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

const tracer = () => trace.getTracer('handrolled');

/**
 * A PRODUCER span for one message, its context injected into `headers` through the global
 * propagator. The caller ends it when the publish has gone out.
 */
export function startSend(topic: string, system: string, headers: Record<string, unknown>, extra?: Attributes): Span {
  const attributes: Attributes = {
    'messaging.system': system,
    'messaging.destination.name': topic,
    'messaging.operation.type': 'send',
    'messaging.operation.name': 'send',
  };
  if (extra !== undefined) for (const key in extra) attributes[key] = extra[key];
  const span = tracer().startSpan(`send ${topic}`, { kind: SpanKind.PRODUCER, attributes });
  propagation.inject(trace.setSpan(context.active(), span), headers);
  return span;
}

/** Reads a header as a string whatever the client delivers it as (Kafka: Buffers). */
export const textGetter: TextMapGetter<Record<string, unknown> | undefined> = {
  keys: (carrier) => (carrier === undefined ? [] : Object.keys(carrier)),
  get(carrier, key) {
    const value = carrier?.[key];
    if (value === undefined || value === null) return undefined;
    return typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString() : String(value);
  },
};

/**
 * The CONSUMER span of one message, a child of what its headers carry, and the context to run
 * the handler in. The caller ends the span at settlement.
 */
export function startProcess(topic: string, system: string, headers: Record<string, unknown> | undefined, attributes: Attributes): { span: Span; context: Context } {
  // On the root, not the client's ambient context (what tracehop does too).
  const parent = propagation.extract(ROOT_CONTEXT, headers, textGetter);
  attributes['messaging.system'] = system;
  attributes['messaging.destination.name'] = topic;
  attributes['messaging.operation.type'] = 'process';
  attributes['messaging.operation.name'] = 'process';
  const span = tracer().startSpan(`process ${topic}`, { kind: SpanKind.CONSUMER, attributes }, parent);
  return { span, context: trace.setSpan(parent, span) };
}
