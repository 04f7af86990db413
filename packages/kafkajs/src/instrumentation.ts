import type { TracerProvider } from '@opentelemetry/api';
import { InstrumentationBase, InstrumentationNodeModuleDefinition, type InstrumentationConfig } from '@opentelemetry/instrumentation';
import { instrumentationClientOptions, replaceExport, restoreExport } from '@tracehop/core';
import { tracedKafkaClass, type KafkaClass } from './traced-kafka-class.js';
import type { KafkaInstrumentationOptions } from './types.js';
import { INSTRUMENTATION_SCOPE } from './version.js';

/**
 * The config of `KafkajsInstrumentation`: `enabled` (as every OpenTelemetry instrumentation;
 * default true) and every option of the wrappers (`KafkaInstrumentationOptions`), applied to
 * each client the application creates. `clientId` and `serverAddress` default to the
 * `clientId` and first broker given to `new Kafka()`.
 */
export interface KafkajsInstrumentationConfig extends InstrumentationConfig, KafkaInstrumentationOptions {}

/** The kafkajs versions whose `Kafka` class is replaced (the peer range). */
const SUPPORTED_VERSIONS = ['>=2.0.0 <3'];

/**
 * Drop-in instrumentation of kafkajs for NodeSDK's `instrumentations: [...]` or
 * `registerInstrumentations`: every `Kafka` client created after kafkajs is loaded hands out
 * producers and consumers traced exactly as by `instrumentProducer` / `instrumentConsumer`
 * (the same code), with no change to the application — including clients frameworks create
 * internally (NestJS microservices).
 *
 * - `disable()`: clients created afterwards are kafkajs' own, and clients created while
 *   enabled stop tracing (no spans, nothing injected or extracted) until `enable()`.
 * - `setConfig()`: applies to `Kafka` clients created afterwards; earlier ones keep theirs.
 * - A producer or consumer the app also wraps by hand is already traced: `instrument…`
 *   returns it unchanged, so it is traced once, with this instrumentation's options.
 */
export class KafkajsInstrumentation extends InstrumentationBase<KafkajsInstrumentationConfig> {
  #tracerProvider: TracerProvider | undefined;
  readonly #gate = (): boolean => this.isEnabled();

  constructor(config: KafkajsInstrumentationConfig = {}) {
    super(INSTRUMENTATION_SCOPE.name, INSTRUMENTATION_SCOPE.version, config);
  }

  protected init(): InstrumentationNodeModuleDefinition {
    return new InstrumentationNodeModuleDefinition(
      'kafkajs',
      SUPPORTED_VERSIONS,
      (moduleExports: unknown) => {
        replaceExport<KafkaClass>(moduleExports, 'Kafka', (Kafka) => tracedKafkaClass(Kafka, () => this.#clientOptions()));
        return moduleExports;
      },
      (moduleExports: unknown) => restoreExport(moduleExports, 'Kafka'),
    );
  }

  override setTracerProvider(tracerProvider: TracerProvider): void {
    super.setTracerProvider(tracerProvider);
    this.#tracerProvider = tracerProvider;
  }

  /** The options of a client created now; undefined while disabled. */
  #clientOptions(): KafkaInstrumentationOptions | undefined {
    if (!this.isEnabled()) return undefined;
    return instrumentationClientOptions<KafkaInstrumentationOptions>(this.getConfig(), this.#gate, this.#tracerProvider);
  }
}
