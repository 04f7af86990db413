import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_MESSAGING_CLIENT_ID,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  resolveOptions,
  resolveSampling,
  type ResolvedBacklogSampling,
  type ResolvedOptions,
} from '@tracehop/core';
import type { KafkaInstrumentationOptions } from './types.js';
import { INSTRUMENTATION_SCOPE } from './version.js';

/** Everything a producer or consumer wrapper needs, worked out once when it is made. */
export interface KafkaSettings {
  readonly resolved: ResolvedOptions;
  /**
   * `messaging.client.id`, `server.*`: the same on every span. Not `messaging.system`, whose
   * name (`OTEL_SEMCONV_STABILITY_OPT_IN`) is chosen when the client is first used.
   */
  readonly common: Readonly<Attributes>;
  /** `sampling.backlog`, validated (consumers only). */
  readonly sampling: ResolvedBacklogSampling | undefined;
}

/** Splits `host`, `host:port`, `[v6]` or `[v6]:port`; a port that is not a number is dropped. */
export function parseServerAddress(value: string): { address: string; port: number | undefined } {
  const text = value.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) return { address: bracketed[1]!, port: bracketed[2] ? Number(bracketed[2]) : undefined };
  const colon = text.lastIndexOf(':');
  // More than one colon and no brackets: a bare IPv6 address without a port.
  if (colon === -1 || text.indexOf(':') !== colon) return { address: text, port: undefined };
  const port = text.slice(colon + 1);
  return { address: text.slice(0, colon), port: /^\d+$/.test(port) ? Number(port) : undefined };
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new TypeError(`tracehop: \`${name}\` must be a string`);
  return value;
}

/**
 * Validates the options of a Kafka wrapper: core's (through `resolveOptions`) and Kafka's
 * own. Invalid options throw a TypeError here, when wrapping, never on a message's path.
 */
export function resolveKafkaOptions(options: KafkaInstrumentationOptions | undefined): KafkaSettings {
  const opts: KafkaInstrumentationOptions = options ?? {};
  const resolved = resolveOptions(opts, INSTRUMENTATION_SCOPE);
  const clientId = optionalString(opts.clientId, 'clientId');
  const serverAddress = optionalString(opts.serverAddress, 'serverAddress');
  const common: Attributes = {};
  if (clientId !== undefined && clientId !== '') common[ATTR_MESSAGING_CLIENT_ID] = clientId;
  if (serverAddress !== undefined && serverAddress.trim() !== '') {
    const { address, port } = parseServerAddress(serverAddress);
    common[ATTR_SERVER_ADDRESS] = address;
    if (port !== undefined) common[ATTR_SERVER_PORT] = port;
  }
  return { resolved, common: Object.freeze(common), sampling: resolveSampling(opts.sampling) };
}
