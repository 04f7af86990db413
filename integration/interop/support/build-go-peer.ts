import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runBuild } from './build-command.js';
import { INTEROP_DIR, peerCacheDir, sourceDigest } from './peer-cache.js';
import type { PeerCommand } from './peer-process.js';

const GO_DIR = join(INTEROP_DIR, 'go');
const NEEDS =
  'The Go interop peer needs Go 1.26 or later on the PATH and access to the Go module proxy ' +
  '(modules are pinned in integration/interop/go/go.mod and go.sum).';

let built: Promise<PeerCommand> | undefined;

/**
 * Builds the Go peer once per source digest into the cache folder (a few seconds, or minutes on
 * a fresh machine while `go` fetches the modules) and returns how to run it.
 */
export function goPeer(): Promise<PeerCommand> {
  built ??= build();
  return built;
}

async function build(): Promise<PeerCommand> {
  const digest = sourceDigest(GO_DIR, (path) => path.endsWith('.go') || path === 'go.mod' || path === 'go.sum');
  const binary = join(peerCacheDir(), `go-peer-${digest}`);
  if (!existsSync(binary)) {
    // Built beside its final name and renamed, so an interrupted build never leaves a broken binary.
    const partial = `${binary}.${process.pid}.partial`;
    try {
      await runBuild({
        what: 'the Go interop peer',
        command: 'go',
        args: ['build', '-mod=readonly', '-trimpath', '-o', partial, '.'],
        cwd: GO_DIR,
        timeoutMs: 15 * 60_000,
        needs: NEEDS,
      });
      renameSync(partial, binary);
    } finally {
      rmSync(partial, { force: true });
    }
  }
  return { peer: 'go', command: binary, args: [] };
}
