import type { TracerProvider } from '@opentelemetry/api';
import {
  InstrumentationBase,
  InstrumentationNodeModuleDefinition,
  InstrumentationNodeModuleFile,
  type InstrumentationConfig,
} from '@opentelemetry/instrumentation';
import { instrumentationClientOptions, replaceExport, restoreExport } from '@tracehop/core';
import type { AnyFunction } from './channel-state.js';
import { tracedConnect } from './traced-connect.js';
import type { AmqplibInstrumentationOptions } from './types.js';
import { INSTRUMENTATION_SCOPE } from './version.js';

/**
 * The config of `AmqplibInstrumentation`: `enabled` (as every OpenTelemetry instrumentation;
 * default true) and every option of the wrappers (`AmqplibInstrumentationOptions`), applied
 * to each connection the application opens.
 */
export interface AmqplibInstrumentationConfig extends InstrumentationConfig, AmqplibInstrumentationOptions {}

/** The amqplib versions whose `connect` is replaced (the peer range). */
const SUPPORTED_VERSIONS = ['>=0.10.0 <3'];

/**
 * Drop-in instrumentation of amqplib for NodeSDK's `instrumentations: [...]` or
 * `registerInstrumentations`: every connection opened with `connect` — of the promise API
 * (`amqplib`) or the callback API (`amqplib/callback_api`), with or without `recovery` —
 * after amqplib is loaded creates channels traced exactly as by `instrumentChannel` (the same
 * code), with no change to the application — including connections libraries open
 * internally (amqp-connection-manager, NestJS microservices).
 *
 * - `disable()`: connections opened afterwards are amqplib's own, and channels of
 *   connections opened while enabled stop tracing new work (no spans, nothing injected or
 *   extracted) until `enable()`; spans already started still end at settlement.
 * - `setConfig()`: applies to connections opened afterwards; earlier ones keep theirs.
 * - A connection or channel the app also wraps by hand is already traced: `instrument…`
 *   returns it unchanged, so it is traced once, with this instrumentation's options.
 */
export class AmqplibInstrumentation extends InstrumentationBase<AmqplibInstrumentationConfig> {
  #tracerProvider: TracerProvider | undefined;
  readonly #gate = (): boolean => this.isEnabled();

  constructor(config: AmqplibInstrumentationConfig = {}) {
    super(INSTRUMENTATION_SCOPE.name, INSTRUMENTATION_SCOPE.version, config);
  }

  protected init(): InstrumentationNodeModuleDefinition {
    const patch = (moduleExports: unknown): unknown => {
      replaceExport<AnyFunction>(moduleExports, 'connect', (connect) => tracedConnect(connect, () => this.#clientOptions()));
      return moduleExports;
    };
    const unpatch = (moduleExports: unknown): void => restoreExport(moduleExports, 'connect');
    return new InstrumentationNodeModuleDefinition('amqplib', SUPPORTED_VERSIONS, patch, unpatch, [
      new InstrumentationNodeModuleFile('amqplib/callback_api.js', SUPPORTED_VERSIONS, patch, unpatch),
    ]);
  }

  override setTracerProvider(tracerProvider: TracerProvider): void {
    super.setTracerProvider(tracerProvider);
    this.#tracerProvider = tracerProvider;
  }

  /** The options of a connection opened now; undefined while disabled. */
  #clientOptions(): AmqplibInstrumentationOptions | undefined {
    if (!this.isEnabled()) return undefined;
    return instrumentationClientOptions<AmqplibInstrumentationOptions>(this.getConfig(), this.#gate, this.#tracerProvider);
  }
}
