#!/usr/bin/env node
// Builds the package in the current directory twice with tsc: ESM into dist/esm and
// CommonJS into dist/cjs, each with its own declarations, so that `import` and
// `require` consumers both get types that match the module format they load.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const run = (...args) => execFileSync(process.execPath, [tsc, ...args], { stdio: 'inherit' });

rmSync('dist', { recursive: true, force: true });
run('-p', 'tsconfig.build.json', '--outDir', 'dist/esm');
run('-p', 'tsconfig.build.json', '--outDir', 'dist/cjs', '--module', 'CommonJS', '--moduleResolution', 'Node10');
for (const [dir, type] of [['dist/esm', 'module'], ['dist/cjs', 'commonjs']]) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ type }, null, 2)}\n`);
}
