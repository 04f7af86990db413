#!/usr/bin/env node
// The README's commands start here, on a machine that may have only Node and npm: make sure
// the pinned pnpm and the workspace's dependencies are installed, then run a pnpm script.
//   node scripts/bootstrap.mjs <script> [args...]
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const [script, ...args] = process.argv.slice(2);
if (!script) {
  console.error('usage: node scripts/bootstrap.mjs <pnpm script> [args...]');
  process.exit(2);
}
const pinned = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).packageManager.split('@')[1];

function pnpmVersion() {
  try {
    return execFileSync('pnpm', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

function run(command, argv) {
  const result = spawnSync(command, argv, { stdio: 'inherit', env: { ...process.env, COREPACK_ENABLE_STRICT: '0' } });
  if (result.error) throw result.error;
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (pnpmVersion() !== pinned) {
  console.error(`[tracehop] installing pnpm ${pinned} (npm install -g)`);
  run('npm', ['install', '--global', '--no-fund', '--no-audit', `pnpm@${pinned}`]);
}
run('pnpm', ['install', '--frozen-lockfile', '--prefer-offline', '--reporter=silent']);
run('pnpm', ['run', script, ...args]);
