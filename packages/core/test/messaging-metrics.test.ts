import { metrics } from '@opentelemetry/api';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { MeterSource } from '../src/metrics/meter-source.js';
import { OperationMeasure, ProcessMeasure } from '../src/metrics/messaging-metrics.js';
import { processMessage } from '../src/kernel/process-message.js';
import { Publication } from '../src/kernel/publication.js';
import { resolveOptions } from '../src/resolve-options.js';

class Reader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

async function names(reader: Reader): Promise<Record<string, number>> {
  const { resourceMetrics } = await reader.collect();
  const out: Record<string, number> = {};
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      for (const point of metric.dataPoints) {
        const value = point.value as number | { count: number };
        out[metric.descriptor.name] = (out[metric.descriptor.name] ?? 0) + (typeof value === 'number' ? value : value.count);
      }
    }
  }
  return out;
}

const scope = { name: '@tracehop/test', version: '0.0.0' };

afterEach(() => metrics.disable());

describe('MeterSource', () => {
  it('gives nothing while no MeterProvider is registered, and follows one registered later', async () => {
    const source = new MeterSource(scope);
    expect(source.current()).toBeUndefined();
    const reader = new Reader();
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
    const instruments = source.current();
    expect(instruments).toBeDefined();
    // Same provider, same instruments: one lookup and a comparison per use.
    expect(source.current()).toBe(instruments);
    ProcessMeasure.start(source, { attributes: () => ({ 'messaging.system': 'kafka' }) })!.end();
    expect(await names(reader)).toEqual({ 'messaging.process.duration': 1, 'messaging.client.consumed.messages': 1 });
    metrics.disable();
    expect(source.current()).toBeUndefined();
  });

  it('with no provider, builds no attributes and reads no clock; an explicit provider wins over the global one', async () => {
    let built = 0;
    const resolved = resolveOptions({ spans: false }, scope);
    expect(ProcessMeasure.start(resolved.metrics, { attributes: () => ({ built: ++built }) })).toBeUndefined();
    expect(OperationMeasure.start(resolved.metrics)).toBeUndefined();
    expect(processMessage(resolved, { name: 'process q', attributes: {}, carrier: undefined, metricAttributes: () => ({ built: ++built }), publishedAt: () => ++built }, () => 7)).toBe(7);
    expect(built).toBe(0);

    const reader = new Reader();
    const explicit = resolveOptions({ spans: false, meterProvider: new MeterProvider({ readers: [reader] }) }, scope);
    const publication = new Publication(explicit, { name: 'send q', attributes: () => ({}), count: 3, metrics: () => ({ operation: { 'messaging.operation.type': 'send' } }) });
    expect(publication.observed).toBe(true);
    publication.end();
    expect(await names(reader)).toEqual({ 'messaging.client.operation.duration': 1, 'messaging.client.sent.messages': 3 });
  });

  it('metrics: false records nothing even with a provider; a refused publish is timed but sends nothing', async () => {
    const reader = new Reader();
    const provider = new MeterProvider({ readers: [reader] });
    const off = resolveOptions({ metrics: false, meterProvider: provider }, scope);
    expect(off.metrics).toBeUndefined();
    const on = resolveOptions({ spans: false, meterProvider: provider }, scope);
    new Publication(on, { name: 'send q', attributes: () => ({}), count: 2, metrics: () => ({ operation: {} }) }).fail(new RangeError('too large'));
    expect(await names(reader)).toEqual({ 'messaging.client.operation.duration': 1 });
    expect(() => resolveOptions({ metrics: 'yes' as never }, scope)).toThrow(TypeError);
    expect(() => resolveOptions({ meterProvider: {} as never }, scope)).toThrow(TypeError);
  });
});
