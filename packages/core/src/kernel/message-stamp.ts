import { shared } from './process-state.js';

/** A value kept on an object tracehop does not own (a delivered message, a batch), invisibly. */
export interface MessageStamp<V> {
  get(target: object): V | undefined;
  set(target: object, value: V): void;
}

/**
 * Makes a stamp: a private field added to the target by a base class whose constructor
 * returns the object it is given. It is invisible to the object's users (no key, no symbol,
 * nothing `util.inspect` shows), lives exactly as long as the object, and costs about a
 * property write — where a WeakMap entry per message cost ~0.5 µs per delivery and grows the
 * work of every garbage collection. Objects that refuse the field (frozen, or Proxies whose
 * handler forbids it) fall back to a WeakMap.
 */
function createStamp<V>(): MessageStamp<V> {
  class Base {
    constructor(target: object) {
      return target as Base;
    }
  }
  class Slot extends Base {
    #value: V;
    constructor(target: object, value: V) {
      super(target);
      this.#value = value;
    }
    static read(target: object): V | undefined {
      return #value in target ? (target as Slot).#value : undefined;
    }
    static write(target: object, value: V): boolean {
      if (!(#value in target)) return false;
      (target as Slot).#value = value;
      return true;
    }
  }
  const fallback = new WeakMap<object, V>();
  return {
    get: (target) => Slot.read(target) ?? fallback.get(target),
    set(target, value) {
      if (Slot.write(target, value)) return;
      try {
        new Slot(target, value);
      } catch {
        fallback.set(target, value);
      }
    },
  };
}

/**
 * The process-wide stamp named `name` (see process-state.ts): the ESM and CJS builds of
 * tracehop read and write the very same field.
 */
export function messageStamp<V>(name: string): MessageStamp<V> {
  return shared(`stamp:${name}`, () => createStamp<V>());
}
