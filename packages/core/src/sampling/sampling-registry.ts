import { metrics, type Meter, type MeterProvider, type ObservableResult } from '@opentelemetry/api';
import { shared } from '../kernel/process-state.js';
import type { BacklogSampling } from './backlog-sampling.js';

interface Registry {
  readonly active: Set<BacklogSampling>;
  /** By destination name, for `BacklogSampler` (the OpenTelemetry Sampler). */
  readonly byDestination: Map<string, BacklogSampling>;
  provider: MeterProvider | undefined;
}

const registry = shared<Registry>('sampling-registry', () => ({ active: new Set(), byDestination: new Map(), provider: undefined }));

/**
 * The gauges `tracehop.sampling.rate`, `tracehop.sampling.backlog` and
 * `tracehop.sampling.pressure` (0 normal, 1 elevated, 2 high), one series per consumer
 * (`tracehop.consumer`), on the global MeterProvider of the moment — registered again when an
 * SDK registers a new one.
 */
function registerGauges(): void {
  const provider = metrics.getMeterProvider();
  if (provider === registry.provider) return;
  registry.provider = provider;
  const meter: Meter = provider.getMeter('@tracehop/core');
  const observe = (read: (sampling: BacklogSampling) => number) => (result: ObservableResult) => {
    for (const sampling of registry.active) result.observe(read(sampling), { 'tracehop.consumer': sampling.label });
  };
  meter
    .createObservableGauge('tracehop.sampling.rate', { unit: '1', description: 'Fraction of messages a consumer traces (backlog-aware sampling)' })
    .addCallback(observe((sampling) => sampling.rate));
  meter
    .createObservableGauge('tracehop.sampling.backlog', { unit: '{message}', description: 'Backlog the consumer last measured' })
    .addCallback(observe((sampling) => sampling.backlog));
  meter
    .createObservableGauge('tracehop.sampling.pressure', { unit: '1', description: 'Pressure state: 0 normal, 1 elevated, 2 high' })
    .addCallback(observe((sampling) => sampling.level));
}

export function registerSampling(sampling: BacklogSampling): void {
  registry.active.add(sampling);
  registerGauges();
}

export function unregisterSampling(sampling: BacklogSampling): void {
  registry.active.delete(sampling);
  for (const [destination, owner] of registry.byDestination) if (owner === sampling) registry.byDestination.delete(destination);
}

/** Records that `sampling` decides for the consumer spans of `destination`. */
export function samplingForDestination(destination: string, sampling: BacklogSampling): void {
  if (registry.byDestination.get(destination) !== sampling) registry.byDestination.set(destination, sampling);
  registerGauges();
}

/** The sampling that decides for `destination`, if a consumer samples it. */
export function samplingOf(destination: string): BacklogSampling | undefined {
  return registry.byDestination.get(destination);
}
