// The Go envelope codec (go/envelope.go), written from docs/nsq-envelope.md alone, against every
// test vector of that document: proof that the document is enough to implement the envelope.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from 'vitest';
import { goPeer } from './support/build-go-peer.js';
import { PEER_BUILD_TIMEOUT_MS } from './support/peer-pairs.js';
import { PeerProcess, type PeerCommand } from './support/peer-process.js';

const DOC = fileURLToPath(new URL('../../docs/nsq-envelope.md', import.meta.url));
let go: PeerCommand;

beforeAll(async () => {
  go = await goPeer();
}, PEER_BUILD_TIMEOUT_MS);

it('the Go envelope codec agrees with every test vector of docs/nsq-envelope.md', async () => {
  // The vector names, read here independently of the Go parser, so that no vector is skipped.
  const names = [...readFileSync(DOC, 'utf8').matchAll(/```envelope-vector\nname: (\S+)/g)].map((m) => m[1]);
  expect(names.length).toBeGreaterThanOrEqual(23);
  const results = (await PeerProcess.runToEnd(go, ['envelope-vectors', DOC])).flatMap((e) =>
    e.event === 'vector' ? [{ name: e.name, problem: e.problem }] : [],
  );
  expect(results).toEqual(names.map((name) => ({ name, problem: '' })));
});
