// Guards for the "never mutates its input" and "never pollutes prototypes" properties: inputs
// are deep-frozen (a write then throws, in strict-mode modules) and snapshotted (a change to
// what cannot be frozen, such as a Buffer's bytes, is found by comparison afterwards).

type Snapshot =
  | { readonly kind: 'primitive'; readonly value: unknown }
  | { readonly kind: 'bytes'; readonly ref: Uint8Array; readonly copy: Buffer }
  | { readonly kind: 'array'; readonly ref: readonly unknown[]; readonly items: Snapshot[] }
  | { readonly kind: 'object'; readonly ref: object; readonly proto: unknown; readonly keys: PropertyKey[]; readonly entries: Snapshot[] }
  | { readonly kind: 'seen'; readonly ref: object };

/** Freezes an object graph (typed arrays excepted: a non-empty one cannot be frozen). */
export function deepFreeze<T>(value: T, seen = new Set<object>()): T {
  if (value === null || typeof value !== 'object' || seen.has(value)) return value;
  seen.add(value);
  if (ArrayBuffer.isView(value)) return value;
  for (const key of Reflect.ownKeys(value)) {
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    if (descriptor !== undefined && 'value' in descriptor) deepFreeze(descriptor.value, seen);
  }
  return Object.freeze(value);
}

function take(value: unknown, seen: Set<object>): Snapshot {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return { kind: 'primitive', value };
  const ref = value as object;
  if (seen.has(ref)) return { kind: 'seen', ref };
  seen.add(ref);
  if (value instanceof Uint8Array) return { kind: 'bytes', ref: value, copy: Buffer.from(value) };
  if (Array.isArray(value)) return { kind: 'array', ref: value, items: value.map((item) => take(item, seen)) };
  const keys = Reflect.ownKeys(ref);
  const entries = keys.map((key) => {
    const descriptor = Object.getOwnPropertyDescriptor(ref, key)!;
    return 'value' in descriptor ? take(descriptor.value, seen) : { kind: 'primitive' as const, value: descriptor.get };
  });
  return { kind: 'object', ref, proto: Object.getPrototypeOf(ref), keys, entries };
}

/** Records an input's whole graph: identities, keys in order, values, bytes. */
export function snapshot(value: unknown): Snapshot {
  return take(value, new Set());
}

function diff(before: Snapshot, value: unknown, path: string, seen: Set<object>): string | undefined {
  switch (before.kind) {
    case 'primitive':
      return Object.is(before.value, value) ? undefined : `${path}: ${String(before.value)} became ${String(value)}`;
    case 'seen':
      return before.ref === value ? undefined : `${path}: a shared reference was replaced`;
    case 'bytes':
      if (before.ref !== value) return `${path}: the Buffer was replaced`;
      if (before.ref.length !== before.copy.length || Buffer.compare(Buffer.from(before.ref.buffer, before.ref.byteOffset, before.ref.byteLength), before.copy) !== 0) {
        return `${path}: the bytes changed`;
      }
      return undefined;
    case 'array': {
      if (before.ref !== value) return `${path}: the array was replaced`;
      if (seen.has(before.ref)) return undefined;
      seen.add(before.ref);
      if (before.ref.length !== before.items.length) return `${path}: length ${before.items.length} became ${before.ref.length}`;
      for (let i = 0; i < before.items.length; i++) {
        const found = diff(before.items[i]!, before.ref[i], `${path}[${i}]`, seen);
        if (found !== undefined) return found;
      }
      return undefined;
    }
    case 'object': {
      if (before.ref !== value) return `${path}: the object was replaced`;
      if (seen.has(before.ref)) return undefined;
      seen.add(before.ref);
      if (Object.getPrototypeOf(before.ref) !== before.proto) return `${path}: the prototype changed`;
      const keys = Reflect.ownKeys(before.ref);
      if (keys.length !== before.keys.length || keys.some((key, i) => key !== before.keys[i])) {
        return `${path}: keys [${before.keys.map(String).join(', ')}] became [${keys.map(String).join(', ')}]`;
      }
      for (let i = 0; i < keys.length; i++) {
        const descriptor = Object.getOwnPropertyDescriptor(before.ref, keys[i]!)!;
        const current = 'value' in descriptor ? descriptor.value : descriptor.get;
        const found = diff(before.entries[i]!, current, `${path}.${String(keys[i])}`, seen);
        if (found !== undefined) return found;
      }
      return undefined;
    }
  }
}

/** What changed in `value` since `before` was taken, or undefined when nothing did. */
export function changedSince(before: Snapshot, value: unknown): string | undefined {
  return diff(before, value, '$', new Set());
}

// ------------------------------------------------------------------------ prototype pollution

const GUARDED: ReadonlyArray<[string, object]> = [
  ['Object', Object.prototype],
  ['Array', Array.prototype],
  ['String', String.prototype],
  ['Number', Number.prototype],
  ['Boolean', Boolean.prototype],
  ['Function', Function.prototype],
  ['Uint8Array', Uint8Array.prototype],
  ['Buffer', Buffer.prototype],
  ['Map', Map.prototype],
  ['Set', Set.prototype],
];

type Fingerprint = ReadonlyArray<[PropertyKey, unknown]>;

function fingerprint(target: object): Fingerprint {
  return Reflect.ownKeys(target).map((key) => {
    const descriptor = Object.getOwnPropertyDescriptor(target, key)!;
    return [key, 'value' in descriptor ? descriptor.value : descriptor.get];
  });
}

/** The built-in prototypes as they are now: every own key and what it holds. */
export interface PrototypeBaseline {
  readonly prints: ReadonlyArray<[string, object, Fingerprint]>;
}

export function prototypeBaseline(): PrototypeBaseline {
  return { prints: GUARDED.map(([name, target]) => [name, target, fingerprint(target)]) };
}

/**
 * What changed on a built-in prototype since `baseline`, or undefined. Also checks that a
 * fresh object literal inherits nothing it should not (the classic pollution symptom).
 */
export function prototypePollution(baseline: PrototypeBaseline): string | undefined {
  for (const [name, target, print] of baseline.prints) {
    const now = fingerprint(target);
    if (now.length !== print.length) return `${name}.prototype has ${now.length} keys instead of ${print.length}`;
    for (let i = 0; i < now.length; i++) {
      if (now[i]![0] !== print[i]![0] || now[i]![1] !== print[i]![1]) return `${name}.prototype.${String(print[i]![0])} changed`;
    }
  }
  if (Object.getPrototypeOf(Object.prototype) !== null) return 'Object.prototype got a prototype';
  const probe = {} as Record<string, unknown>;
  for (const key of ['polluted', 'traceparent', 'baggage', 'isAdmin', 'value']) {
    if (key in probe) return `{} inherits "${key}"`;
  }
  return undefined;
}
