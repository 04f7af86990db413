import type {
  Attributes,
  AttributeValue,
  Exception,
  Link,
  Span,
  SpanContext,
  SpanStatus,
  TimeInput,
} from '@opentelemetry/api';
import { INVALID_SPAN_CONTEXT, trace } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '../semconv.js';
import type { ProcessMeasure } from './messaging-metrics.js';

/**
 * The span a settlement tracker ends, when the message's metrics must end with it: every call
 * goes to the real span (or, with `spans: false`, to a non-recording one), and `end()` also
 * ends the `process` measure, with the `error.type` the span was given on the way (a handler
 * error, a settle timeout, a closed channel). This way a message's span and its
 * `messaging.process.duration` end at the same moment — its ack / finish — through the one
 * tracker each adapter already has, and metrics need no spans.
 *
 * `isRecording()` is true: something is recorded until the message is settled, so a tracker
 * must not skip it (nsqjs's settlement ends unrecorded spans at once). Hooks and the handler
 * see the real span, never this one.
 */
export class MeteredSpan implements Span {
  readonly #span: Span;
  readonly #measure: ProcessMeasure;
  #errorType: string | undefined;

  constructor(span: Span | undefined, measure: ProcessMeasure) {
    this.#span = span ?? trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    this.#measure = measure;
  }

  spanContext(): SpanContext {
    return this.#span.spanContext();
  }

  setAttribute(key: string, value: AttributeValue): this {
    if (key === ATTR_ERROR_TYPE && typeof value === 'string') this.#errorType = value;
    this.#span.setAttribute(key, value);
    return this;
  }

  setAttributes(attributes: Attributes): this {
    const type = attributes[ATTR_ERROR_TYPE];
    if (typeof type === 'string') this.#errorType = type;
    this.#span.setAttributes(attributes);
    return this;
  }

  addEvent(name: string, attributesOrStartTime?: Attributes | TimeInput, startTime?: TimeInput): this {
    this.#span.addEvent(name, attributesOrStartTime, startTime);
    return this;
  }

  addLink(link: Link): this {
    this.#span.addLink(link);
    return this;
  }

  addLinks(links: Link[]): this {
    this.#span.addLinks(links);
    return this;
  }

  setStatus(status: SpanStatus): this {
    this.#span.setStatus(status);
    return this;
  }

  updateName(name: string): this {
    this.#span.updateName(name);
    return this;
  }

  end(endTime?: TimeInput): void {
    try {
      this.#span.end(endTime);
    } finally {
      this.#measure.endWithType(this.#errorType);
    }
  }

  isRecording(): boolean {
    return true;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    this.#span.recordException(exception, time);
  }
}
