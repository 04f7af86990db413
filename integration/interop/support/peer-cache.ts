import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** integration/interop, where the peers' sources live. */
export const INTEROP_DIR = fileURLToPath(new URL('..', import.meta.url));

/**
 * Where built peers are kept between runs: outside the repository, in the same cache as the
 * native brokers (`$TRACEHOP_CACHE`, default `~/.cache/tracehop`).
 */
export function peerCacheDir(): string {
  const root = process.env.TRACEHOP_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'tracehop');
  const dir = join(root, 'interop');
  mkdirSync(dir, { recursive: true });
  return dir;
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

/**
 * A short digest of a peer's sources (the files whose path relative to `dir` passes `isSource`):
 * a built peer is reused only while its sources are unchanged, so an edit rebuilds it and two
 * checkouts never share a stale build. Build output is left out by the filter.
 */
export function sourceDigest(dir: string, isSource: (path: string) => boolean): string {
  const hash = createHash('sha256');
  const files = listFiles(dir)
    .map((file) => relative(dir, file).split(sep).join('/'))
    .filter(isSource)
    .sort();
  for (const file of files) hash.update(file).update('\0').update(readFileSync(join(dir, file))).update('\0');
  return hash.digest('hex').slice(0, 16);
}
