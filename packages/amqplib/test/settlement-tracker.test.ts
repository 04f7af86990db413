import { SpanStatusCode, type Span } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SettlementTracker } from '../src/settlement-tracker.js';
import { createTestTracing } from '../../core/test/support/otel.js';

const tracing = createTestTracing();
const tracer = tracing.provider.getTracer('test');
beforeEach(() => tracing.reset());
afterEach(() => vi.useRealTimers());

/** Starts one span per tag (named after it) and tracks it. */
function track(tracker: SettlementTracker, tags: number[], autoAck = false): Span[] {
  return tags.map((tag) => {
    const span = tracer.startSpan(`m${tag}`);
    tracker.track(tag, span, autoAck);
    return span;
  });
}

const ended = () => tracing.spans().map((span) => span.name);
const eventsOf = (name: string) => tracing.spansNamed(name)[0]!.events.map((event) => [event.name, event.attributes]);

describe('SettlementTracker', () => {
  it('ends one span on a single settlement, with an event naming it', () => {
    const tracker = new SettlementTracker(0);
    track(tracker, [1, 2, 3]);
    tracker.settle(2, false, 'nack', false);
    expect(ended()).toEqual(['m2']);
    expect(eventsOf('m2')).toEqual([['nack', { 'messaging.operation.name': 'nack', 'messaging.operation.type': 'settle', 'tracehop.requeue': false }]]);
    expect(tracker.pendingCount).toBe(2);
  });

  it('allUpTo ends every span up to the tag, in delivery order, and no later one', () => {
    const tracker = new SettlementTracker(0);
    track(tracker, [1, 2, 3, 4]);
    tracker.settle(3, true, 'ack');
    expect(ended()).toEqual(['m1', 'm2', 'm3']);
    expect(tracker.pendingCount).toBe(1);
  });

  it('allUpTo with tag 0 means every outstanding message (AMQP basic.ack multiple)', () => {
    const tracker = new SettlementTracker(0);
    track(tracker, [5, 6]);
    tracker.settle(0, true, 'ack');
    expect(ended()).toEqual(['m5', 'm6']);
  });

  it('leaves noAck spans to their handler: settleAll skips them, finish ends them', () => {
    const tracker = new SettlementTracker(0);
    track(tracker, [1]);
    track(tracker, [2], true);
    tracker.settleAll('ack');
    expect(ended()).toEqual(['m1']);
    tracker.finish(1); // not a noAck span: nothing to do
    tracker.finish(2);
    expect(ended()).toEqual(['m1', 'm2']);
    expect(eventsOf('m2')).toEqual([]);
  });

  it('records a handler failure once, and ends the span at settlement', () => {
    const tracker = new SettlementTracker(0);
    track(tracker, [1]);
    tracker.fail(1, new TypeError('bad'));
    tracker.fail(1, new Error('again'));
    expect(ended()).toEqual([]);
    tracker.settle(1, false, 'reject', true);
    const [span] = tracing.spans();
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'bad' });
    expect(span!.events.map((event) => event.name)).toEqual(['exception', 'reject']);
  });

  it('ends everything on close: with the channel’s error, or as ChannelClosedError; failed spans keep their error', () => {
    const tracker = new SettlementTracker(0);
    track(tracker, [1, 2]);
    tracker.fail(2, new Error('handler'));
    tracker.close();
    const [first, second] = tracing.spans();
    expect(first!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'the channel closed before the message was settled' });
    expect(first!.attributes['error.type']).toBe('ChannelClosedError');
    expect(first!.events).toEqual([]);
    expect(second!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'handler' });
    expect(tracker.pendingCount).toBe(0);

    const other = new SettlementTracker(0);
    track(other, [1]);
    other.close(new Error('PRECONDITION_FAILED'));
    expect(tracing.spans()[2]!.events.map((event) => event.attributes?.['exception.message'])).toEqual(['PRECONDITION_FAILED']);
  });

  it('after close, a new delivery’s span ends at once: nothing is kept', () => {
    const tracker = new SettlementTracker(60_000);
    tracker.close();
    track(tracker, [9]);
    expect(ended()).toEqual(['m9']);
    expect(tracker.pendingCount).toBe(0);
    expect(tracker.timerArmed).toBe(false);
  });

  it('the safety timeout ends unsettled spans, oldest first, with one timer re-armed as needed', () => {
    vi.useFakeTimers();
    const tracker = new SettlementTracker(1_000);
    track(tracker, [1]);
    vi.advanceTimersByTime(600);
    track(tracker, [2]);
    expect(tracker.timerArmed).toBe(true);
    vi.advanceTimersByTime(400);
    expect(ended()).toEqual(['m1']);
    expect(tracing.spans()[0]!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'the message was not settled within 1000 ms' });
    expect(tracing.spans()[0]!.attributes['error.type']).toBe('SettleTimeoutError');
    expect(tracker.timerArmed).toBe(true);
    vi.advanceTimersByTime(600);
    expect(ended()).toEqual(['m1', 'm2']);
    expect(tracker.timerArmed).toBe(false);
    tracker.settle(1, false, 'ack'); // late: nothing left to end
    expect(ended()).toEqual(['m1', 'm2']);
  });

  it('disarms the timer as soon as nothing is pending, and on close', () => {
    vi.useFakeTimers();
    const tracker = new SettlementTracker(1_000);
    track(tracker, [1]);
    tracker.settle(1, false, 'ack');
    expect(tracker.timerArmed).toBe(false);
    track(tracker, [2]);
    tracker.close();
    expect(tracker.timerArmed).toBe(false);
  });

  it('with the timeout off, arms no timer at all', () => {
    vi.useFakeTimers();
    const tracker = new SettlementTracker(0);
    track(tracker, [1]);
    expect(tracker.timerArmed).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });
});
