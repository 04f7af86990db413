import { describe, expect, it } from 'vitest';
import { isReplacement, originalOf, replaceExport, restoreExport } from '../src/index.js';

const original = function connect() {
  return 'raw';
};

describe('replaceExport / restoreExport (drop-in instrumentations)', () => {
  it('replaces an export once, however often it is asked, and restores it', () => {
    const exports: Record<string, unknown> = { connect: original };
    let made = 0;
    const make = (fn: typeof original) => {
      made++;
      return Object.assign(() => `traced ${fn()}`, {});
    };
    replaceExport(exports, 'connect', make);
    replaceExport(exports, 'connect', make);
    expect(made).toBe(1);
    expect((exports.connect as () => string)()).toBe('traced raw');
    expect(isReplacement(exports.connect)).toBe(true);
    expect(originalOf(exports.connect)).toBe(original);
    restoreExport(exports, 'connect');
    expect(exports.connect).toBe(original);
  });

  it('an ESM namespace of a CommonJS module: the binding and `default` get the same replacement', () => {
    const cjs: Record<string, unknown> = { connect: original };
    const namespace: Record<string, unknown> = { connect: original, default: cjs };
    replaceExport(namespace, 'connect', () => () => 'traced');
    expect(namespace.connect).toBe(cjs.connect);
    expect(isReplacement(cjs.connect)).toBe(true);
    restoreExport(namespace, 'connect');
    expect([namespace.connect, cjs.connect]).toEqual([original, original]);
  });

  it('never throws: a failing factory or a frozen module leaves the export as it is', () => {
    const exports = { connect: original };
    replaceExport(exports, 'connect', () => {
      throw new Error('boom');
    });
    expect(exports.connect).toBe(original);
    const frozen = Object.freeze({ connect: original });
    expect(() => replaceExport(frozen, 'connect', () => () => 'traced')).not.toThrow();
    expect(frozen.connect).toBe(original);
    expect(() => replaceExport(undefined, 'connect', () => () => 'x')).not.toThrow();
  });
});
