import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./fixtures/rejecting-handler.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** Runs the fixture in its own process (an unhandled rejection is a process-wide event). */
function unhandledRejections(mode: 'raw' | 'traced', ackMode: 'ack' | 'noAck'): unknown {
  const run = spawnSync(process.execPath, ['--conditions=tracehop-source', '--import', 'tsx', fixture, mode, ackMode], {
    cwd: packageDir,
    encoding: 'utf8',
  });
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout);
}

describe('a handler whose promise rejects', () => {
  it.each(['ack', 'noAck'] as const)('is still reported as an unhandled rejection, once, with the same error (%s)', (ackMode) => {
    const expected = [{ same: true, message: 'async handler failed' }];
    expect(unhandledRejections('raw', ackMode)).toEqual(expected);
    expect(unhandledRejections('traced', ackMode)).toEqual(expected);
  });
});
