import type { TextMapPropagator } from '@opentelemetry/api';
import { propagation } from '@opentelemetry/api';
import { DEFAULT_PROPAGATORS, ENV_EXTRACT_PROPAGATORS, ENV_OTEL_PROPAGATORS, type PropagatorOption } from './options.js';
import { mergeOwnedHeaders, ownedHeadersOf, type OwnedHeaders } from './owned-headers.js';
import { createPropagator } from './propagation/create-propagator.js';
import type { PropagatorSettings } from './propagation/propagator-registry.js';
import { traitsOf } from './propagation/propagator-traits.js';
import { recogniseStockPropagator } from './stock-propagators.js';

/** What a client writes and reads, as chosen at the time of use. */
export interface PropagationChoice {
  /** What is written into outgoing messages. */
  readonly injector: TextMapPropagator;
  /** What is read from incoming messages. */
  readonly extractor: TextMapPropagator;
  /** Every header either of them owns: cleared before each inject. */
  readonly ownedHeaders: OwnedHeaders;
}

function envValue(name: string): string | undefined {
  const value = typeof process === 'undefined' ? undefined : process.env[name];
  return value !== undefined && value.trim() !== '' ? value : undefined;
}

function environmentKey(): string {
  return `${envValue(ENV_OTEL_PROPAGATORS) ?? ''}\u0000${envValue(ENV_EXTRACT_PROPAGATORS) ?? ''}`;
}

export function isPropagator(value: unknown): value is TextMapPropagator {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as TextMapPropagator).inject === 'function' &&
    typeof (value as TextMapPropagator).extract === 'function' &&
    typeof (value as TextMapPropagator).fields === 'function'
  );
}

/** An explicit `propagator` / `extract` option as a propagator; invalid ones throw a TypeError. */
export function propagatorFromOption(option: PropagatorOption, settings: PropagatorSettings): TextMapPropagator {
  if (isPropagator(option)) return option;
  if (typeof option === 'string' || Array.isArray(option)) return createPropagator(option, settings);
  throw new TypeError('tracehop: `propagator` and `extract` take a TextMapPropagator, a string or an array of names');
}

/** The API's own lookup of the registered propagator (private in its typings, public at run time). */
interface PropagationApi {
  readonly _getGlobalPropagator?: () => TextMapPropagator | undefined;
}

/**
 * The propagator registered with `propagation.setGlobalPropagator` (the API's no-op one when
 * none is), by identity: reading it is two property loads, cheap enough to do per message.
 */
function registeredPropagator(): TextMapPropagator | undefined {
  const api = propagation as unknown as PropagationApi;
  try {
    return typeof api._getGlobalPropagator === 'function' ? api._getGlobalPropagator() : undefined;
  } catch {
    return undefined;
  }
}

function isNoop(propagator: TextMapPropagator | undefined): boolean {
  if (propagator === undefined) return true;
  try {
    return propagator.fields().length === 0 && propagator.constructor?.name === 'NoopTextMapPropagator';
  } catch {
    return false;
  }
}

/**
 * Chooses the formats of one client, following the precedence of docs/propagation.md:
 * 1. the `propagator` option;
 * 2. the propagator registered globally, as HTTP uses it — an SDK's choice of a named format
 *    (NodeSDK's default, or what it built from `OTEL_PROPAGATORS`) done by tracehop's own
 *    implementation of that format, anything else (set in code) used as it is;
 * 3. `OTEL_PROPAGATORS`, when no SDK registered one;
 * 4. `tracecontext,baggage`.
 * Extraction: the `extract` option, else `TRACEHOP_EXTRACT_PROPAGATORS`, else the inject set.
 *
 * The choice is made when the client is first used and made again whenever the registered
 * global propagator changes (an SDK started, or shut down, after the client was wrapped);
 * between changes each use costs one identity comparison. The environment is read with it.
 */
export class PropagationSource {
  readonly #settings: PropagatorSettings;
  readonly #injectOption: TextMapPropagator | undefined;
  readonly #extractOption: TextMapPropagator | undefined;
  readonly #watchEnvironment: boolean;
  #choice: PropagationChoice | undefined;
  #chosenFor: TextMapPropagator | undefined;
  #environment: string | undefined;

  /**
   * `watchEnvironment`: also compare the two environment variables on every use (about
   * 0.4 µs). Only the standalone inject/extract functions do: they have no client whose first
   * use fixes the configuration, and are called with no options from anywhere.
   */
  constructor(
    propagator: PropagatorOption | undefined,
    extract: PropagatorOption | undefined,
    settings: PropagatorSettings,
    watchEnvironment = false,
  ) {
    this.#settings = settings;
    this.#watchEnvironment = watchEnvironment;
    // Explicit options are turned into propagators now, so that invalid ones throw at wrap time.
    this.#injectOption = propagator === undefined ? undefined : propagatorFromOption(propagator, settings);
    this.#extractOption = extract === undefined ? undefined : propagatorFromOption(extract, settings);
  }

  /** The formats to use now. */
  current(): PropagationChoice {
    const registered = registeredPropagator();
    const environment = this.#watchEnvironment ? environmentKey() : undefined;
    if (this.#choice !== undefined && registered === this.#chosenFor && environment === this.#environment) return this.#choice;
    this.#chosenFor = registered;
    this.#environment = environment;
    return (this.#choice = this.#choose(registered));
  }

  #choose(registered: TextMapPropagator | undefined): PropagationChoice {
    const injector = this.#injectOption ?? this.#defaultInjector(registered);
    const extractEnv = this.#extractOption === undefined ? envValue(ENV_EXTRACT_PROPAGATORS) : undefined;
    const extractor = this.#extractOption ?? (extractEnv !== undefined ? createPropagator(extractEnv, this.#settings) : injector);
    return { injector, extractor, ownedHeaders: mergeOwnedHeaders(ownedHeadersOf(injector), ownedHeadersOf(extractor)) };
  }

  #defaultInjector(registered: TextMapPropagator | undefined): TextMapPropagator {
    if (registered !== undefined && !isNoop(registered)) {
      // tracehop's own propagators, registered globally, are used as they are.
      if (traitsOf(registered) !== undefined) return registered;
      const names = recogniseStockPropagator(registered);
      return names !== undefined ? createPropagator(names, this.#settings) : registered;
    }
    return createPropagator(envValue(ENV_OTEL_PROPAGATORS) ?? DEFAULT_PROPAGATORS, this.#settings);
  }
}
