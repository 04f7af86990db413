import type { ResolvedOptions } from './resolve-options.js';
import { PropagationSource } from './propagation-choice.js';

/**
 * The options key under which a drop-in instrumentation hands the clients it wraps its on/off
 * switch: a function answering "is the instrumentation enabled now?". Not a documented option
 * (a wrapper made by hand has no switch): a registered symbol, so that the ESM and the CJS
 * build of tracehop read the same key.
 */
export const INSTRUMENTATION_GATE: unique symbol = Symbol.for('tracehop.instrumentation-gate') as never;

/** "Is the instrumentation that created this client enabled now?" Read per message. */
export type InstrumentationGate = () => boolean;

/** What a closed gate answers for the formats: nothing is written, read or removed. */
const CLOSED = new PropagationSource('none', 'none', { b3CanonicalCase: false });

/** Resolved fields that read as undefined (off) while the gate is closed, when they exist. */
const OFF_WHEN_CLOSED = ['tracer', 'metrics'] as const;

/**
 * Puts a wrapper's resolved options behind its instrumentation's switch, when the options
 * carry one (INSTRUMENTATION_GATE); otherwise returns them as they are, so a wrapper made by
 * hand pays nothing.
 *
 * Why here and not in each adapter: every adapter reads the tracer and the formats from its
 * resolved options on each message (the kernel's publication, inbound policy and consumer
 * spans do), so one view whose fields follow the switch turns a client created while enabled
 * into a pass-through while disabled — no spans, no metrics, nothing injected, extracted or
 * removed — and back again when re-enabled, without a second code path. Every other field
 * (policies, hooks) is read through from `resolved`. Contrib instrumentations behave the same
 * way for the work they patched in place: disabled, new work is not traced.
 */
export function gateResolvedOptions(options: object, resolved: ResolvedOptions): ResolvedOptions {
  const gate = (options as { [INSTRUMENTATION_GATE]?: unknown })[INSTRUMENTATION_GATE];
  if (gate === undefined) return resolved;
  if (typeof gate !== 'function') throw new TypeError('tracehop: the instrumentation gate must be a function');
  const open = gate as InstrumentationGate;
  const closed = CLOSED.current();
  const fields: PropertyDescriptorMap = {
    propagation: { get: () => (open() ? resolved.propagation : CLOSED) },
    injector: { get: () => (open() ? resolved.injector : closed.injector) },
    extractor: { get: () => (open() ? resolved.extractor : closed.extractor) },
    ownedHeaders: { get: () => (open() ? resolved.ownedHeaders : closed.ownedHeaders) },
  };
  for (const name of OFF_WHEN_CLOSED) {
    if (!(name in resolved)) continue;
    fields[name] = { get: () => (open() ? (resolved as unknown as Record<string, unknown>)[name] : undefined) };
  }
  return Object.create(resolved, fields) as ResolvedOptions;
}
