// The benchmarks measure tracehop as users install it: the tsc build in packages/*/dist, not
// the sources run through tsx. tsx compiles with esbuild's `keepNames`, which wraps every
// closure made at run time in a `__name(fn, "…")` call (an Object.defineProperty): on the
// per-message paths that cost about 15% of end-to-end throughput with spans on, a cost the
// published packages do not have.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packagesDir = fileURLToPath(new URL('../../packages/', import.meta.url));

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Throws unless every package's build is newer than its sources (`pnpm bench` builds first). */
export function assertPackagesBuilt(): void {
  for (const name of readdirSync(packagesDir)) {
    const built = join(packagesDir, name, 'dist', 'esm', 'index.js');
    let builtAt: number;
    try {
      builtAt = statSync(built).mtimeMs;
    } catch {
      throw new Error(`packages/${name} is not built: run \`pnpm build\` first (\`pnpm bench\` does)`);
    }
    if (newestSource(join(packagesDir, name, 'src')) > builtAt) {
      throw new Error(`packages/${name}/dist is older than its sources: run \`pnpm build\` first (\`pnpm bench\` does)`);
    }
  }
}
