// The wrapped writer must behave exactly as nsqjs's own Writer: same throws, same callback
// arguments, same messages on the wire (once unwrapped), for every shape of call — including
// the ones nsqjs rejects or mishandles.
import type { Writer } from 'nsqjs';
import { describe, expect, it } from 'vitest';
import { createTestTracing } from '../../core/test/support/otel.js';
import { decodeEnvelope, instrumentWriter } from '../src/index.js';
import { fakeWriter } from './support/nsqjs-fakes.js';

const tracing = createTestTracing();

interface Outcome {
  threw: string | undefined;
  callbacks: unknown[][];
  /** Sent messages as payload bytes (hex), envelopes opened; other values as they are. */
  sent: unknown[];
  enveloped: boolean[];
}

type Call = (writer: Writer, callback: ((...args: unknown[]) => void) | undefined) => unknown;

function run(call: Call, wrap: boolean, withCallback: boolean): Outcome {
  const { writer, conn } = fakeWriter();
  const target = wrap ? instrumentWriter(writer, { tracerProvider: tracing.provider, propagator: 'tracecontext' }) : writer;
  const callbacks: unknown[][] = [];
  let threw: string | undefined;
  try {
    call(target, withCallback ? (...args) => callbacks.push(args.map((arg) => (arg instanceof Error ? `Error: ${arg.message}` : arg))) : undefined);
  } catch (error) {
    threw = (error as Error).message;
  }
  while (conn.pending() > 0) conn.answer();
  const sent: unknown[] = [];
  const enveloped: boolean[] = [];
  for (const message of conn.sent.flatMap((entry) => entry.msgs)) {
    const decoded = Buffer.isBuffer(message) ? decodeEnvelope(message) : undefined;
    enveloped.push(decoded !== undefined);
    const bytes = decoded?.body ?? (typeof message === 'string' ? Buffer.from(message) : message);
    sent.push(Buffer.isBuffer(bytes) ? bytes.toString('hex') : bytes);
  }
  return { threw, callbacks, sent, enveloped };
}

const traced: Array<[string, Call]> = [
  ['a string', (w, cb) => w.publish('t', 'text ✓', cb)],
  ['a Buffer', (w, cb) => w.publish('t', Buffer.from([0xff, 0x00, 0x7b]), cb)],
  ['an object', (w, cb) => w.publish('t', { a: 1, b: [true, null] }, cb)],
  ['an array of mixed messages', (w, cb) => w.publish('t', ['a', { b: 2 }, Buffer.from('c')], cb)],
  ['an array of scalars', (w, cb) => w.publish('t', [5, null, true] as unknown as string[], cb)],
  ['a typed array (JSON, as nsqjs does)', (w, cb) => w.publish('t', new Uint16Array([1, 2]) as unknown as object, cb)],
  ['a deferred one-element array', (w, cb) => w.deferPublish('t', ['later'], 250, cb)],
  ['a deferred Buffer in an array', (w, cb) => w.deferPublish('t', [Buffer.from('b')], 1, cb)],
];

const untouched: Array<[string, Call]> = [
  ['an empty string', (w, cb) => w.publish('t', '', cb)],
  ['an empty Buffer', (w, cb) => w.publish('t', Buffer.alloc(0), cb)],
  ['an empty object', (w, cb) => w.publish('t', {}, cb)],
  ['an empty array', (w, cb) => w.publish('t', [], cb)],
  ['a number', (w, cb) => w.publish('t', 5 as unknown as string, cb)],
  ['an array holding an empty string', (w, cb) => w.publish('t', ['', 'a'], cb)],
  ['an array holding undefined', (w, cb) => w.publish('t', [undefined] as unknown as string[], cb)],
  ['an object that cannot be serialised', (w, cb) => w.publish('t', { n: 1n } as unknown as object, cb)],
  ['a deferred plain string (nsqjs throws)', (w, cb) => w.deferPublish('t', 'x', 100, cb)],
  ['a deferred array of two (nsqjs throws)', (w, cb) => w.deferPublish('t', ['a', 'b'], 100, cb)],
  ['a deferred object in an array', (w, cb) => w.deferPublish('t', [{ a: 1 }], 100, cb)],
  ['a deferral of 0 ms', (w, cb) => w.deferPublish('t', ['x'], 0, cb)],
  ['a deferral that is not a number', (w, cb) => w.deferPublish('t', ['x'], '5' as unknown as number, cb)],
];

describe('the wrapped writer behaves as nsqjs', () => {
  for (const withCallback of [true, false]) {
    const mode = withCallback ? 'with a callback' : 'without a callback';

    it.each(traced)(`publishes %s like nsqjs, enveloped (${mode})`, (_name, call) => {
      const raw = run(call, false, withCallback);
      const wrapped = run(call, true, withCallback);
      expect(wrapped.threw).toBe(raw.threw);
      expect(wrapped.callbacks).toEqual(raw.callbacks);
      expect(wrapped.sent).toEqual(raw.sent);
      expect(wrapped.enveloped.every(Boolean)).toBe(true);
      expect(wrapped.sent.length).toBeGreaterThan(0);
    });

    it.each(untouched)(`hands %s to nsqjs untouched (${mode})`, (_name, call) => {
      tracing.reset();
      const raw = run(call, false, withCallback);
      const wrapped = run(call, true, withCallback);
      expect(wrapped).toEqual(raw);
      expect(wrapped.enveloped.some(Boolean)).toBe(false);
      expect(tracing.spans()).toHaveLength(0);
    });
  }

  it('a raw call that nsqjs rejects really is rejected (the table above is not vacuous)', () => {
    expect(run(untouched[0]![1], false, true).callbacks).toEqual([['Error: Attempting to publish an empty message']]);
    expect(run(untouched[8]![1], false, true).threw).toBe('Expect an array of messages to produceMessages');
    expect(run(untouched[11]![1], false, false).threw).toBe('The Delay must be a (positiv) number');
  });
});
