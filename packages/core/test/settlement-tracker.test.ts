import { SpanStatusCode, type Span } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SettlementTracker, type Deadline } from '../src/index.js';
import { createTestTracing } from './support/otel.js';

const tracing = createTestTracing();
const tracer = tracing.provider.getTracer('test');
beforeEach(() => tracing.reset());
afterEach(() => vi.useRealTimers());

const closed = { type: 'ClosedError', message: 'closed first' };
const newTracker = () => new SettlementTracker<number>({ timeout: (key) => ({ type: 'TimeoutError', message: `m${String(key)} timed out` }), closed });

/** Starts one span per key (named after it) and tracks it. */
function track(tracker: SettlementTracker<number>, keys: number[], deadline: Deadline = Infinity, endsWithHandler = false): Span[] {
  return keys.map((key) => {
    const span = tracer.startSpan(`m${key}`);
    tracker.track(key, span, deadline, endsWithHandler);
    return span;
  });
}

const ended = () => tracing.spans().map((span) => span.name);

describe('SettlementTracker (core)', () => {
  it('ends one span at its settlement, with the settlement as a span event', () => {
    const tracker = newTracker();
    track(tracker, [1, 2, 3]);
    tracker.settle(2, { name: 'nack', attributes: { requeue: false } });
    expect(ended()).toEqual(['m2']);
    expect(tracing.spansNamed('m2')[0]!.events.map((event) => [event.name, event.attributes])).toEqual([['nack', { requeue: false }]]);
    expect(tracker.pendingCount).toBe(2);
  });

  it('settleWhere settles in delivery order and stops where told', () => {
    const tracker = newTracker();
    track(tracker, [1, 2, 3, 4]);
    tracker.settleWhere((key) => (key > 3 ? 'stop' : key !== 2));
    expect(ended()).toEqual(['m1', 'm3']);
    expect(tracker.pendingCount).toBe(2);
  });

  it('leaves spans that end with their handler to handlerDone', () => {
    const tracker = newTracker();
    track(tracker, [1], Infinity, true);
    track(tracker, [2]);
    tracker.settleWhere(() => true);
    expect(ended()).toEqual(['m2']);
    tracker.handlerDone(2);
    tracker.handlerDone(1);
    expect(ended()).toEqual(['m2', 'm1']);
  });

  it('records a handler failure once, and ends the span at settlement', () => {
    const tracker = newTracker();
    track(tracker, [1]);
    tracker.fail(1, new TypeError('boom'));
    tracker.fail(1, new Error('second'));
    expect(ended()).toEqual([]);
    tracker.settle(1);
    const [span] = tracing.spans();
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(span!.events.filter((event) => event.name === 'exception')).toHaveLength(1);
    expect(span!.attributes['error.type']).toBe('TypeError');
  });

  it('ends everything at close — with the client error, or the closed reason — and every later track at once', () => {
    const failing = newTracker();
    track(failing, [1]);
    failing.close(new Error('connection lost'));
    expect(tracing.spansNamed('m1')[0]!.events.map((event) => event.name)).toEqual(['exception']);
    const tracker = newTracker();
    track(tracker, [2, 3]);
    tracker.fail(3, new RangeError('handler'));
    tracker.close();
    expect(tracing.spansNamed('m2')[0]!.attributes['error.type']).toBe('ClosedError');
    expect(tracing.spansNamed('m3')[0]!.attributes['error.type']).toBe('RangeError');
    track(tracker, [4]);
    expect(tracing.spansNamed('m4')[0]!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'closed first' });
    expect(tracker.pendingCount).toBe(0);
  });

  it('ends spans past their deadline with one timer, re-armed for the next deadline', () => {
    vi.useFakeTimers();
    const tracker = newTracker();
    track(tracker, [1], Date.now() + 100);
    track(tracker, [2], Date.now() + 300);
    expect(tracker.timerArmed).toBe(true);
    vi.advanceTimersByTime(150);
    expect(ended()).toEqual(['m1']);
    expect(tracing.spansNamed('m1')[0]!.attributes['error.type']).toBe('TimeoutError');
    expect(tracker.timerArmed).toBe(true);
    vi.advanceTimersByTime(200);
    expect(ended()).toEqual(['m1', 'm2']);
    expect(tracker.timerArmed).toBe(false);
  });

  it('follows a deadline that moves (recheck), and lets the timer run out once nothing is pending', () => {
    vi.useFakeTimers();
    const tracker = newTracker();
    let at = Date.now() + 100;
    track(tracker, [1], () => at);
    at += 1000;
    vi.advanceTimersByTime(150);
    expect(ended()).toEqual([]);
    tracker.recheck(1);
    tracker.settle(1);
    // Not cleared per settlement (that cost a clear and a set per message): it runs out.
    expect(tracker.timerArmed).toBe(true);
    vi.advanceTimersByTime(1000);
    expect(tracker.timerArmed).toBe(false);
    track(tracker, [2], Infinity);
    expect(tracker.timerArmed).toBe(false);
  });

  it('keeps one timer for a consumer that settles each message before the next arrives', () => {
    vi.useFakeTimers();
    const setTimer = vi.spyOn(globalThis, 'setTimeout');
    const tracker = newTracker();
    for (let i = 1; i <= 50; i++) {
      track(tracker, [i], Date.now() + 1000);
      tracker.settle(i);
      vi.advanceTimersByTime(1);
    }
    // The tracker's deadline timers (the test SDK sets timers of its own when exporting).
    expect(setTimer.mock.calls.filter(([, delay]) => typeof delay === 'number' && delay >= 900)).toHaveLength(1);
    expect(ended()).toHaveLength(50);
    // Firing with nothing pending, the timer is not re-armed; a later message arms it again.
    vi.advanceTimersByTime(1000);
    expect(tracker.timerArmed).toBe(false);
    track(tracker, [51], Date.now() + 1000);
    expect(tracker.timerArmed).toBe(true);
    tracker.settle(51);
    setTimer.mockRestore();
  });
});
