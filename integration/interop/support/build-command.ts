import { spawn } from 'node:child_process';

/** A peer could not be built; the message names the tool, the folder and what it printed. */
export class PeerBuildError extends Error {
  override name = 'PeerBuildError';
}

export interface BuildCommand {
  /** What is being built, for messages: "the Go interop peer". */
  readonly what: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** Generous: a first build downloads modules or artifacts. */
  readonly timeoutMs: number;
  /** What the machine needs when the command is missing. */
  readonly needs: string;
  readonly env?: NodeJS.ProcessEnv;
}

const TAIL = 4000;

/** Runs a build tool to completion; throws a PeerBuildError that says what failed and why. */
export function runBuild(build: BuildCommand): Promise<void> {
  const shown = `\`${[build.command, ...build.args].join(' ')}\` in ${build.cwd}`;
  return new Promise((resolve, reject) => {
    const child = spawn(build.command, build.args, {
      cwd: build.cwd,
      env: { ...process.env, ...build.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-TAIL);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new PeerBuildError(`Building ${build.what} took longer than ${build.timeoutMs / 1000} s: ${shown}\n${output}`));
    }, build.timeoutMs);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const reason = error.code === 'ENOENT' ? `\`${build.command}\` is not on the PATH. ${build.needs}` : error.message;
      reject(new PeerBuildError(`Cannot build ${build.what}: ${reason}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new PeerBuildError(`Building ${build.what} failed (exit ${code ?? signal}): ${shown}\n${output.trim()}\n${build.needs}`));
    });
  });
}
