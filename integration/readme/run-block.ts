import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ReportedSpan } from './reported-span.js';

/** What a README block's process did: the spans it ended, its output, how it ended. */
export interface BlockOutcome {
  readonly spans: ReportedSpan[];
  readonly stdout: string;
  readonly stderr: string;
  /** The exit code, or null while it runs (the test stops it once `until` holds). */
  readonly exitCode: number | null;
}

const REPORTER = fileURLToPath(new URL('./span-reporter.ts', import.meta.url));
const running = new Set<ChildProcess>();

/** Ends every block process still running (after a failed or timed-out test). */
export function stopAll(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/**
 * Runs one module as its own Node process, with the workspace's package sources
 * (`tracehop-source`, through tsx, as the demo runs) and a real SDK registered first.
 * Resolves once `until` holds for what it has reported (then stops the process), or when it
 * exits with code 0 if `until` is `'exit'`; rejects when it exits any other way.
 */
export function runBlock(path: string, until: ((outcome: BlockOutcome) => boolean) | 'exit'): Promise<BlockOutcome> {
  const env: NodeJS.ProcessEnv = { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' };
  // The examples are written for defaults: no format chosen by the environment.
  delete env.OTEL_PROPAGATORS;
  delete env.TRACEHOP_EXTRACT_PROPAGATORS;
  const child = fork(path, [], {
    execArgv: ['--conditions=tracehop-source', '--import', 'tsx', '--import', REPORTER],
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  running.add(child);
  const spans: ReportedSpan[] = [];
  let stdout = '';
  let stderr = '';
  const outcome = (exitCode: number | null): BlockOutcome => ({ spans: [...spans], stdout, stderr, exitCode });
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));

  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      running.delete(child);
      fn();
    };
    child.on('message', (span: ReportedSpan) => {
      spans.push(span);
      if (until !== 'exit' && until(outcome(null))) {
        child.kill('SIGKILL');
        settle(() => resolve(outcome(null)));
      }
    });
    child.on('error', (error) => settle(() => reject(error)));
    child.on('exit', (code, signal) => {
      // Let the last output chunks arrive before reading them.
      setImmediate(() =>
        settle(() => {
          if (until === 'exit' && code === 0) resolve(outcome(0));
          else reject(new Error(`${path} exited (${signal ?? `code ${code}`}) before the expected outcome\n${stderr}${stdout}`));
        }),
      );
    });
  });
}
