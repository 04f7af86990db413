import type { TracerProvider } from '@opentelemetry/api';
import { InstrumentationBase, InstrumentationNodeModuleDefinition, type InstrumentationConfig } from '@opentelemetry/instrumentation';
import { instrumentationClientOptions, replaceExport, restoreExport } from '@tracehop/core';
import { instrumentReader } from './instrument-reader.js';
import { instrumentWriter } from './instrument-writer.js';
import { tracedClass, type ClientClass } from './traced-constructors.js';
import type { NsqReaderLike, NsqWriterLike, NsqWriterOptions } from './types.js';
import { INSTRUMENTATION_SCOPE } from './version.js';

/**
 * The config of `NsqjsInstrumentation`: `enabled` (as every OpenTelemetry instrumentation;
 * default true) and every option of the wrappers — `NsqWriterOptions`, whose `envelope` and
 * `maxMessageSize` apply to writers only — applied to each Writer and Reader created.
 */
export interface NsqjsInstrumentationConfig extends InstrumentationConfig, NsqWriterOptions {}

/** The nsqjs versions whose `Writer` and `Reader` are replaced (the peer range). */
const SUPPORTED_VERSIONS = ['>=0.13.0 <0.14.0'];

/**
 * While the instrumentation is disabled a writer created while enabled publishes raw bodies:
 * a consumer that is not traced must not receive envelopes it cannot read. A value that is
 * not a valid `envelope` option is passed on as it is, for `instrumentWriter` to reject.
 */
function gatedEnvelope(envelope: NsqWriterOptions['envelope'], enabled: () => boolean): NsqWriterOptions['envelope'] {
  if (envelope === false) return false;
  if (envelope === undefined || envelope === true) return () => enabled();
  if (typeof envelope !== 'function') return envelope;
  return (topic) => enabled() && envelope(topic);
}

/**
 * Drop-in instrumentation of nsqjs for NodeSDK's `instrumentations: [...]` or
 * `registerInstrumentations`: every `Writer` and `Reader` created after nsqjs is loaded is
 * traced exactly as by `instrumentWriter` / `instrumentReader` (the same code, the same
 * envelope), with no change to the application.
 *
 * - `disable()`: writers and readers created afterwards are nsqjs' own; those created while
 *   enabled stop tracing new work until `enable()` — writers publish raw bodies, readers make
 *   no spans but still unwrap envelopes, so a listener never sees envelope bytes.
 * - `setConfig()`: applies to writers and readers created afterwards; earlier ones keep theirs.
 * - A writer or reader the app also wraps by hand is already traced: `instrument…` returns it
 *   unchanged, so it is traced once, with this instrumentation's options.
 */
export class NsqjsInstrumentation extends InstrumentationBase<NsqjsInstrumentationConfig> {
  #tracerProvider: TracerProvider | undefined;
  readonly #gate = (): boolean => this.isEnabled();

  constructor(config: NsqjsInstrumentationConfig = {}) {
    super(INSTRUMENTATION_SCOPE.name, INSTRUMENTATION_SCOPE.version, config);
  }

  protected init(): InstrumentationNodeModuleDefinition {
    return new InstrumentationNodeModuleDefinition(
      'nsqjs',
      SUPPORTED_VERSIONS,
      (moduleExports: unknown) => {
        replaceExport<ClientClass>(moduleExports, 'Writer', (Writer) =>
          tracedClass(Writer, 'Writer', (writer) => {
            const options = this.#clientOptions();
            if (options === undefined) return writer;
            return instrumentWriter(writer as NsqWriterLike, { ...options, envelope: gatedEnvelope(options.envelope, this.#gate) });
          }),
        );
        replaceExport<ClientClass>(moduleExports, 'Reader', (Reader) =>
          tracedClass(Reader, 'Reader', (reader) => {
            const options = this.#clientOptions();
            if (options === undefined) return reader;
            const { envelope: _envelope, maxMessageSize: _maxMessageSize, ...readerOptions } = options;
            return instrumentReader(reader as NsqReaderLike, readerOptions);
          }),
        );
        return moduleExports;
      },
      (moduleExports: unknown) => {
        restoreExport(moduleExports, 'Writer');
        restoreExport(moduleExports, 'Reader');
      },
    );
  }

  override setTracerProvider(tracerProvider: TracerProvider): void {
    super.setTracerProvider(tracerProvider);
    this.#tracerProvider = tracerProvider;
  }

  /** The options of a client created now; undefined while disabled. */
  #clientOptions(): NsqWriterOptions | undefined {
    if (!this.isEnabled()) return undefined;
    return instrumentationClientOptions<NsqWriterOptions>(this.getConfig(), this.#gate, this.#tracerProvider);
  }
}
