/** What runs in a benchmark: the raw client, tracehop in two modes, or the official instrumentation. */
export type Variant = 'raw' | 'tracehop-nospans' | 'tracehop-spans' | 'official';
export type Broker = 'kafka' | 'rabbitmq' | 'nsq';

export const VARIANTS_BY_BROKER: Record<Broker, Variant[]> = {
  kafka: ['raw', 'tracehop-nospans', 'tracehop-spans', 'official'],
  rabbitmq: ['raw', 'tracehop-nospans', 'tracehop-spans', 'official'],
  // No official OpenTelemetry instrumentation exists for nsqjs.
  nsq: ['raw', 'tracehop-nospans', 'tracehop-spans'],
};

export interface WorkerRequest {
  readonly broker: Broker;
  readonly variant: Variant;
  readonly messages: number;
  readonly size: number;
  /** Also report heap use after a warm-up and at the end (GC forced before each reading). */
  readonly memory?: boolean;
}

export interface WorkerResult {
  readonly broker: Broker;
  readonly variant: Variant;
  readonly messages: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly spans: number;
  readonly heapAfterWarmupBytes?: number;
  readonly heapAfterRunBytes?: number;
}
