// Hostile bodies through a real nsqjs Reader wrapped by tracehop (only the network is
// replaced): the listener always sees the payload — the body itself when it is not a valid
// envelope, byte for byte — never an exception, and every message's span ends when the
// message is finished.
import fc from 'fast-check';
import type { Message } from 'nsqjs';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestTracing } from '../../../core/test/support/otel.js';
import { decodeEnvelope, instrumentReader } from '../../src/index.js';
import { fakeReader, nextTick, nsqMessage } from '../support/nsqjs-fakes.js';
import { fuzzParameters, fuzzTimeout } from '../../../core/test/fuzz/support/fuzz-config.js';
import { prototypeBaseline, prototypePollution } from '../../../core/test/fuzz/support/input-guards.js';
import { hostileBody } from './envelope-arbitraries.js';

const tracing = createTestTracing();
afterAll(() => tracing.reset());

describe('an instrumented nsqjs Reader receiving hostile bodies', () => {
  it(
    'delivers the payload exactly, never throws into the listener, and ends every span',
    async () => {
      const baseline = prototypeBaseline();
      for (const extract of ['tracecontext,baggage', 'tracecontext,baggage,b3,b3multi,jaeger'] as const) {
        const reader = instrumentReader(fakeReader('orders', 'fuzz'), { propagator: extract, tracerProvider: tracing.provider });
        let seen: Buffer | undefined;
        reader.on('message', (message: Message) => {
          seen = Buffer.from(message.body);
          message.finish();
        });
        await fc.assert(
          fc.asyncProperty(hostileBody, async (body) => {
            tracing.reset();
            seen = undefined;
            const wire = Buffer.from(body);
            const message = nsqMessage(wire);
            reader.emit('message', message);
            await nextTick();
            const expected = decodeEnvelope(wire)?.body ?? wire;
            expect(seen).toBeDefined();
            expect(Buffer.compare(seen!, expected)).toBe(0);
            expect(tracing.spansNamed('process orders')).toHaveLength(1);
            expect(prototypePollution(baseline)).toBeUndefined();
          }),
          fuzzParameters(0.5),
        );
      }
    },
    fuzzTimeout(1, 4),
  );
});
