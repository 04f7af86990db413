import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { isMessage, type MessageEvent, type PeerEvent } from './peer-events.js';

/** How to start a built peer: `command ...args <peer arguments>`. */
export interface PeerCommand {
  readonly peer: 'go' | 'java';
  readonly command: string;
  readonly args: readonly string[];
}

/** Every wait has a bound; a peer that says nothing for this long has failed. */
export const PEER_WAIT_MS = 45_000;

const live = new Set<PeerProcess>();

interface Waiter {
  readonly matches: () => boolean;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** One running peer: its JSON lines as they arrive, its stderr for error messages. */
export class PeerProcess {
  readonly events: PeerEvent[] = [];
  readonly exited: Promise<number | null>;
  #stderr = '';
  #exitCode: number | null | undefined;
  readonly #child: ChildProcess;
  readonly #label: string;
  readonly #waiters = new Set<Waiter>();

  private constructor(peer: PeerCommand, args: readonly string[]) {
    this.#label = `${peer.peer} peer \`${args.join(' ')}\``;
    this.#child = spawn(peer.command, [...peer.args, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(this);
    this.#child.stderr!.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString('utf8')).slice(-4000);
    });
    createInterface({ input: this.#child.stdout! }).on('line', (line) => this.#onLine(line));
    this.exited = new Promise((resolve) => {
      this.#child.on('error', (error) => {
        this.#stderr += `\n${error.message}`;
        this.#onExit(null);
        resolve(null);
      });
      this.#child.on('close', (code) => {
        this.#onExit(code);
        resolve(code);
      });
    });
  }

  /** Starts a peer; it is stopped by `stopAllPeers` if the test does not wait for its end. */
  static start(peer: PeerCommand, args: readonly string[]): PeerProcess {
    return new PeerProcess(peer, args);
  }

  /** Runs a peer to its end and returns every line it printed; fails unless it exits 0. */
  static async runToEnd(peer: PeerCommand, args: readonly string[], timeoutMs = PEER_WAIT_MS): Promise<PeerEvent[]> {
    const process = PeerProcess.start(peer, args);
    const code = await process.#until(() => process.#exitCode !== undefined, 'its exit', timeoutMs, true);
    if (code !== 0) throw process.#failure(`exited with ${process.#exitCode}`);
    return process.events;
  }

  /** Runs a producer to its end and returns the messages it produced. */
  static async run(peer: PeerCommand, args: readonly string[], timeoutMs = PEER_WAIT_MS): Promise<MessageEvent[]> {
    return (await PeerProcess.runToEnd(peer, args, timeoutMs)).filter((e): e is MessageEvent => isMessage(e, 'produced'));
  }

  /** Waits for the peer's "ready" line (a consumer listening). */
  async ready(timeoutMs = PEER_WAIT_MS): Promise<void> {
    await this.#until(() => this.events.some((e) => e.event === 'ready'), '"ready"', timeoutMs);
  }

  /** Waits for `count` consumed messages and for the peer's clean exit after them. */
  async consumed(count: number, timeoutMs = PEER_WAIT_MS): Promise<MessageEvent[]> {
    await this.#until(() => this.messages('consumed').length >= count, `${count} consumed messages`, timeoutMs);
    await this.#until(() => this.#exitCode !== undefined, 'its exit', timeoutMs, true);
    if (this.#exitCode !== 0) throw this.#failure(`exited with ${this.#exitCode}`);
    return this.messages('consumed');
  }

  messages(kind: MessageEvent['event']): MessageEvent[] {
    return this.events.filter((e): e is MessageEvent => isMessage(e, kind));
  }

  /** Stops the peer (SIGTERM, then SIGKILL) and waits for it to be gone. */
  async stop(): Promise<void> {
    live.delete(this);
    if (this.#exitCode !== undefined) return;
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5_000);
    await this.exited;
    clearTimeout(timer);
  }

  #onLine(line: string): void {
    if (line.trim() === '') return;
    try {
      this.events.push(JSON.parse(line) as PeerEvent);
    } catch {
      this.#stderr += `\n(stdout, not JSON) ${line}`;
    }
    this.#settle();
  }

  #onExit(code: number | null): void {
    this.#exitCode ??= code;
    live.delete(this);
    this.#settle();
  }

  #settle(): void {
    for (const waiter of this.#waiters) {
      if (waiter.matches()) waiter.resolve();
      else if (this.events.some((e) => e.event === 'error')) waiter.reject(this.#failure('reported an error'));
      else if (this.#exitCode !== undefined) waiter.reject(this.#failure(`exited with ${this.#exitCode}`));
    }
  }

  /** Resolves when `matches` holds; rejects on timeout, on an "error" line, or on exit (unless `exitOk`). */
  #until(matches: () => boolean, what: string, timeoutMs: number, exitOk = false): Promise<number | null | undefined> {
    return new Promise((resolve, reject) => {
      const done = () => resolve(this.#exitCode);
      if (matches()) return done();
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(this.#failure(`gave no ${what} in ${timeoutMs / 1000} s`));
      }, timeoutMs);
      const waiter: Waiter = {
        matches: () => matches() || (exitOk && this.#exitCode !== undefined),
        resolve: () => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          done();
        },
        reject: (error) => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          reject(error);
        },
      };
      this.#waiters.add(waiter);
      this.#settle();
    });
  }

  #failure(what: string): Error {
    const lines = this.events.map((e) => JSON.stringify(e)).join('\n');
    return new Error(`The ${this.#label} ${what}.\nstdout:\n${lines}\nstderr:\n${this.#stderr.trim()}`);
  }
}

/** Stops every peer still running: for afterAll. */
export async function stopAllPeers(): Promise<void> {
  await Promise.all([...live].map((peer) => peer.stop()));
}
