/**
 * State that must exist once per process, however many copies of tracehop are loaded. An app
 * that imports our ESM build and, through a dependency, `require`s our CJS build runs two
 * copies of every module; module-level WeakMaps and classes would then be duplicated, and a
 * client wrapped by one copy would look unwrapped to the other (two spans per message, a
 * `getMessageContext` that finds nothing). So every registry and stamp lives in one object on
 * `globalThis`, under a registered symbol both copies resolve to the same key.
 *
 * The version in the key is the shape of that state: a future tracehop that changes a
 * registry's shape bumps it, and then keeps its own state beside ours rather than misreading it.
 */
const STATE_KEY = Symbol.for('tracehop.process-state.v1');

type ProcessState = Map<string, unknown>;

function processState(): ProcessState {
  const holder = globalThis as { [STATE_KEY]?: ProcessState };
  let state = holder[STATE_KEY];
  if (state === undefined) {
    state = new Map();
    // Not enumerable: nothing that walks globalThis (test runners' leak checks) trips on it.
    Object.defineProperty(holder, STATE_KEY, { value: state, enumerable: false, configurable: false, writable: false });
  }
  return state;
}

/**
 * The process-wide value stored under `name`, made by `create` by whichever copy of tracehop
 * asked first. Call it once at module load and keep the result: lookups are not per message.
 */
export function shared<T>(name: string, create: () => T): T {
  const state = processState();
  if (!state.has(name)) state.set(name, create());
  return state.get(name) as T;
}
