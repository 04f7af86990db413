import { ROOT_CONTEXT, SpanKind, diag, type DiagLogger } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  BacklogSampler,
  BacklogSampling,
  backlogRate,
  keepsTrace,
  pressureOf,
  resolveSampling,
  resourceGuard,
  samplingForDestination,
  type InboundContext,
} from '../src/index.js';

const options = resolveSampling({ backlog: { capacity: 100 } })!;
const traceIds = Array.from({ length: 4000 }, (_, i) => (BigInt(i + 1) * 0x9e3779b97f4a7c15n).toString(16).padStart(32, '0').slice(-32));
const inbound = (traceId: string): InboundContext => ({ spanContext: { traceId, spanId: '00f067aa0ba902b7', traceFlags: 1 }, baggage: undefined });

afterEach(() => {
  vi.restoreAllMocks();
  resourceGuard.configure({ eventLoopWindowMs: 30_000, sampleIntervalMs: 1_000 });
});

describe('the backlog rule', () => {
  it('r = max(r_min, min(1, 1 − 0.9 × backlog / capacity))', () => {
    expect(backlogRate(0, 100, 0.01)).toBe(1);
    expect(backlogRate(50, 100, 0.01)).toBeCloseTo(0.55, 10);
    expect(backlogRate(100, 100, 0.01)).toBeCloseTo(0.1, 10);
    expect(backlogRate(500, 100, 0.01)).toBe(0.01);
    expect(backlogRate(500, 100, 0.2)).toBe(0.2);
  });

  it('pressure: normal below 30 %, elevated to 70 %, high above or whenever the guard tripped', () => {
    expect([pressureOf(29, 100, false), pressureOf(30, 100, false), pressureOf(70, 100, false), pressureOf(71, 100, false)]).toEqual(['normal', 'elevated', 'elevated', 'high']);
    expect(pressureOf(0, 100, true)).toBe('high');
  });

  it('rejects bad options at wrap time', () => {
    expect(() => resolveSampling({ backlog: { capacity: 0 } })).toThrow(TypeError);
    expect(() => resolveSampling({ backlog: { capacity: 10, min: 2 } })).toThrow(TypeError);
    expect(() => resolveSampling({ backlog: { capacity: 10, pollIntervalMs: 1 } })).toThrow(TypeError);
    expect(resolveSampling(undefined)).toBeUndefined();
  });
});

describe('the decision, by trace id', () => {
  it('keeps the fraction the rate says, and the same trace ids at the same rate wherever it is made', () => {
    const kept = traceIds.filter((id) => keepsTrace(id, 0.3));
    expect(kept.length / traceIds.length).toBeGreaterThan(0.27);
    expect(kept.length / traceIds.length).toBeLessThan(0.33);
    expect(traceIds.filter((id) => keepsTrace(id, 0.3))).toEqual(kept);
    // A lower rate keeps a subset: a trace skipped under pressure is never kept by a busier hop.
    const fewer = new Set(traceIds.filter((id) => keepsTrace(id, 0.1)));
    expect([...fewer].every((id) => kept.includes(id))).toBe(true);
  });

  it('a consumer decides by its backlog, and logs each change of pressure once', () => {
    const info = vi.fn();
    diag.setLogger({ info, debug() {}, warn() {}, error() {}, verbose() {} } as unknown as DiagLogger, { logLevel: 60, suppressOverrideMessage: true } as never);
    const sampling = new BacklogSampling(options, 'test consumer');
    sampling.report(50);
    sampling.report(51);
    expect(sampling.rate).toBeCloseTo(1 - 0.9 * 0.51, 10);
    expect(sampling.state).toBe('elevated');
    const kept = traceIds.filter((id) => sampling.decide(inbound(id))).length / traceIds.length;
    expect(kept).toBeGreaterThan(0.5);
    expect(kept).toBeLessThan(0.6);
    sampling.report(500);
    sampling.report(0);
    expect(info.mock.calls.map(([line]) => String(line).match(/pressure (\w+)/)?.[1])).toEqual(['elevated', 'high', 'normal']);
    expect(sampling.attributes()).toEqual({ 'tracehop.sampling.rate': 1, 'tracehop.sampling.backlog': 0, 'tracehop.sampling.pressure': 'normal' });
    sampling.close();
    diag.disable();
  });

  it('the OpenTelemetry Sampler applies the same decision to consumer spans of a sampled destination', () => {
    const sampling = new BacklogSampling(options, 'sampler test');
    samplingForDestination('orders-sampler', sampling);
    sampling.report(50);
    const sampler = new BacklogSampler();
    const decide = (traceId: string, kind = SpanKind.CONSUMER, destination = 'orders-sampler') =>
      sampler.shouldSample(ROOT_CONTEXT, traceId, 'process', kind, { 'messaging.destination.name': destination }, []).decision;
    for (const id of traceIds.slice(0, 200)) expect(decide(id) === 2).toBe(sampling.decide(inbound(id)));
    expect(decide(traceIds[0]!, SpanKind.PRODUCER)).toBe(2);
    expect(decide(traceIds[0]!, SpanKind.CONSUMER, 'unsampled')).toBe(2);
    sampling.close();
  });
});

describe('the resource guard', () => {
  it('trips under sustained event-loop pressure, caps the rate at 0.1, and releases after it', async () => {
    resourceGuard.configure({ eventLoopWindowMs: 600, sampleIntervalMs: 100 });
    const sampling = new BacklogSampling(options, 'guard test');
    expect(sampling.rate).toBe(1);
    // Busy for ~1.5 s, yielding now and then so the guard's timer can sample the loop.
    const busyUntil = Date.now() + 1500;
    while (Date.now() < busyUntil && !resourceGuard.tripped) {
      const slice = Date.now() + 90;
      while (Date.now() < slice) {
        /* spin */
      }
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(resourceGuard.tripped).toBe(true);
    expect(sampling.rate).toBe(0.1);
    expect(sampling.state).toBe('high');
    // Idle: the next samples of the loop release it.
    const deadline = Date.now() + 5000;
    while (resourceGuard.tripped && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(resourceGuard.tripped).toBe(false);
    expect(sampling.rate).toBe(1);
    sampling.close();
  });
});
