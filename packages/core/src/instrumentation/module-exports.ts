import { diag } from '@opentelemetry/api';
import { shared } from '../kernel/process-state.js';

/**
 * Replacing one export of a client library's module, for the drop-in instrumentations.
 *
 * What an instrumentation is handed depends on how the module was loaded: `module.exports`
 * (a `require`, through require-in-the-middle), or the module namespace (an `import`, through
 * import-in-the-middle's loader hook), whose named exports are live bindings it lets us set
 * and whose `default` is, for a CommonJS library, that same `module.exports`. An app that
 * `import`s kafkajs while a framework `require`s it sees both. So an export is replaced on the
 * object given and on its `default` when that holds the same value, and each replacement is
 * remembered (once per process, whichever build of tracehop made it) so that a second hook
 * for the same module, or `enable()` after `disable()`, never wraps a wrapper.
 */

/** Replacement → the original it stands for. */
const originals = shared('instrumentation-originals', () => new WeakMap<object, unknown>());

type Holder = Record<string, unknown>;

function isHolder(value: unknown): value is Holder {
  return (typeof value === 'object' || typeof value === 'function') && value !== null;
}

/** The objects an export lives on: the one given, and its `default` when that holds the same export. */
function holdersOf(moduleExports: unknown, name: string): Holder[] {
  if (!isHolder(moduleExports)) return [];
  const holders: Holder[] = [moduleExports];
  try {
    const fallback = moduleExports.default;
    if (isHolder(fallback) && fallback !== moduleExports && name in fallback) holders.push(fallback);
  } catch {
    // A namespace whose `default` is not initialised yet: only its own binding is replaced.
  }
  return holders;
}

/** The original behind `value`, or `value` itself when it is not one of our replacements. */
export function originalOf<T>(value: T): T {
  return isHolder(value) && originals.has(value) ? (originals.get(value) as T) : value;
}

/** Whether `value` is a replacement made by `replaceExport`. */
export function isReplacement(value: unknown): boolean {
  return isHolder(value) && originals.has(value);
}

function write(holder: Holder, name: string, value: unknown): boolean {
  try {
    holder[name] = value;
    if (holder[name] === value) return true;
    // A getter-only export (bundlers emit these): define a value over it where allowed.
    Object.defineProperty(holder, name, { value, writable: true, enumerable: true, configurable: true });
    return holder[name] === value;
  } catch {
    return false;
  }
}

/**
 * Replaces `moduleExports[name]` (and its `default`'s) with `make(original)`, once: an export
 * that already is a replacement is left alone. Never throws; an export that cannot be set is
 * reported through `diag` and left as it is (the library then runs untraced).
 */
export function replaceExport<T>(moduleExports: unknown, name: string, make: (original: T) => T): void {
  // The namespace binding and `default` usually hold the same original: one replacement for both.
  const made = new Map<unknown, T>();
  for (const holder of holdersOf(moduleExports, name)) {
    const current = holder[name];
    if (current === undefined || isReplacement(current)) continue;
    let replacement = made.get(current);
    if (replacement === undefined) {
      try {
        replacement = make(current as T);
      } catch (error) {
        diag.error(`tracehop: could not instrument \`${name}\`; it runs untraced`, error);
        continue;
      }
      made.set(current, replacement);
      if (isHolder(replacement)) originals.set(replacement, current);
    }
    if (!write(holder, name, replacement)) diag.warn(`tracehop: \`${name}\` cannot be replaced on this module; it runs untraced`);
  }
}

/** Puts back what `replaceExport` replaced. Never throws. */
export function restoreExport(moduleExports: unknown, name: string): void {
  for (const holder of holdersOf(moduleExports, name)) {
    const current = holder[name];
    if (isReplacement(current)) write(holder, name, originals.get(current as object));
  }
}
