import { diag } from '@opentelemetry/api';

/** A constructor as nsqjs exports it (`Writer`, `Reader`). */
export type ClientClass = new (...args: never[]) => object;

/**
 * A stand-in for one of nsqjs' client classes: `new Writer(...)` / `new Reader(...)` builds
 * nsqjs' own client and hands back `instrument(client)` — `instrumentWriter` /
 * `instrumentReader` with the instrumentation's current options, the wrappers' own door.
 * `instrument` answers the client itself while the instrumentation is disabled.
 *
 * A Proxy of the class keeps everything else as it was: the prototype, statics,
 * `instanceof`, subclasses (whose `this` is then the traced client). nsqjs' own constructor
 * errors (an invalid topic) reach the caller as they are; if tracing the client fails, it is
 * handed back untraced.
 */
export function tracedClass<C extends ClientClass>(Client: C, kind: string, instrument: (client: object) => object): C {
  return new Proxy(Client, {
    construct(target, args, newTarget): object {
      const client = Reflect.construct(target, args, newTarget) as object;
      try {
        return instrument(client);
      } catch (error) {
        diag.error(`tracehop: could not trace this nsqjs ${kind}; it works without trace context`, error);
        return client;
      }
    },
  });
}
