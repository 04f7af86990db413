// The bench's charging rule (issue 18): a profile sample goes to the nearest owned frame from
// the leaf up, the OpenTelemetry packages and Node's code charged to whoever called them.
import { describe, expect, it } from 'vitest';
import { attribute } from './cpu-profile.js';

const TRACEHOP = 'file:///repo/packages/core/dist/esm/kernel/process-message.js';
const CODEC = 'file:///repo/packages/nsqjs/dist/esm/decode-envelope.js';
const HANDROLLED = 'file:///repo/integration/bench/handrolled.ts';
const SDK = 'file:///repo/node_modules/@opentelemetry/sdk-trace-base/build/src/Tracer.js';
const CLIENT = 'file:///repo/node_modules/amqplib/lib/channel.js';
const APP = 'file:///repo/integration/bench/rabbitmq-pipeline.ts';

/** A profile of one stack per leaf: [frames from the root down], each sampled `times` × 100 µs. */
function profileOf(stacks: { frames: [string, string][]; times: number }[]) {
  const nodes = [{ id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: 0 }, children: [] as number[] }];
  const samples: number[] = [];
  for (const { frames, times } of stacks) {
    let parent = nodes[0]!;
    for (const [functionName, url] of frames) {
      const node = { id: nodes.length + 1, callFrame: { functionName, url, lineNumber: 0 }, children: [] as number[] };
      parent.children.push(node.id);
      nodes.push(node);
      parent = node;
    }
    for (let i = 0; i < times; i++) samples.push(parent.id);
  }
  return { nodes, samples, timeDeltas: samples.map(() => 100) };
}

describe('attribute (bench cpu-profile)', () => {
  it('charges each sample to the nearest owned frame, the OpenTelemetry packages and Node to their caller', () => {
    const profile = profileOf([
      // tracehop's own code, and the SDK span it starts (with Node's code under the SDK).
      { frames: [['emit', CLIENT], ['start', TRACEHOP]], times: 2 },
      { frames: [['emit', CLIENT], ['start', TRACEHOP], ['startSpan', SDK], ['now', 'node:internal/perf']], times: 3 },
      // The app's handler called by tracehop, and the client called by the app: theirs.
      { frames: [['emit', CLIENT], ['start', TRACEHOP], ['handler', APP]], times: 4 },
      { frames: [['emit', CLIENT], ['start', TRACEHOP], ['handler', APP], ['ack', CLIENT]], times: 5 },
      // handrolled's SDK calls; the envelope codec; garbage collection.
      { frames: [['handler', APP], ['startProcess', HANDROLLED], ['startSpan', SDK]], times: 6 },
      { frames: [['decodeFrame', CODEC]], times: 1 },
      { frames: [['(garbage collector)', '']], times: 7 },
    ]);
    const { perMessage, instrumentation, functions } = attribute(profile, 10);
    // µs per message over 10 messages: 100 µs per sample.
    expect(perMessage.tracehop).toBe(50);
    expect(perMessage.app).toBe(40);
    expect(perMessage.client).toBe(50);
    expect(perMessage.handrolled).toBe(60);
    expect(perMessage.codec).toBe(10);
    expect(perMessage.gc).toBe(70);
    expect(instrumentation).toBe(120);
    const start = functions.find((entry) => entry.name.startsWith('start core/kernel/process-message.js'))!;
    expect(start.in).toEqual({ own: 20, otel: 30, node: 0 });
  });
});
