import { randomUUID } from 'node:crypto';

/** The formats every pair is proven in, each with W3C baggage beside it. */
export interface Format {
  readonly name: 'tracecontext' | 'b3' | 'b3multi';
  /** The same list for tracehop's `propagator` option and the peers' `-format`. */
  readonly propagators: string;
}

export const FORMATS: readonly Format[] = [
  { name: 'tracecontext', propagators: 'tracecontext,baggage' },
  { name: 'b3', propagators: 'b3,baggage' },
  { name: 'b3multi', propagators: 'b3multi,baggage' },
];

/**
 * Baggage sent in every scenario. The note needs percent-encoding (space, comma, semicolon,
 * percent, non-ASCII) and holds `+`, `&` and `=`, which encoders treat differently: Go leaves
 * them literal, Java escapes `+` and `=`; every decoder must give back the same string. An
 * empty value is valid W3C baggage (`value = *baggage-octet`) and must survive too.
 */
export const BAGGAGE: Readonly<Record<string, string>> = {
  tenant: 'acme',
  'order.note': 'Zoë & co, 50% off; a+b=c',
  empty: '',
};

/** One message per decision: the first sampled, the second not. */
export const SAMPLED: readonly boolean[] = [true, false];

/** Peer flags that set BAGGAGE. */
export function baggageFlags(): string[] {
  return Object.entries(BAGGAGE).flatMap(([key, value]) => ['-baggage', `${key}=${value}`]);
}

/** A destination name no other test uses (valid for Kafka, RabbitMQ and NSQ: ≤ 64 chars). */
export function uniqueName(what: string): string {
  return `interop-${what}-${randomUUID().slice(0, 8)}`;
}
