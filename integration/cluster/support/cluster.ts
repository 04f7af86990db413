// The clustered brokers of integration/brokers/cluster.sh, for the failover tests: addresses,
// and the faults that can be done to one node. Each test file brings its cluster up in
// `beforeAll` (idempotent: a cluster already up is reused) and down in `afterAll`, so only
// the cluster under test takes CPU; the integration global setup removes any cluster a run
// left behind. A cluster that cannot start fails the file with cluster.sh's own message.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { isMainThread } from 'node:worker_threads';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../brokers/cluster.sh', import.meta.url));
export const CLUSTER_STATE = process.env.TRACEHOP_CLUSTER_STATE ?? '/tmp/tracehop-cluster';
/**
 * Written when a test run started a cluster, with the pid of that run's vitest process: its
 * global teardown removes only such clusters (not one started by hand, nor another run's).
 */
export const STARTED_BY_TESTS = `${CLUSTER_STATE}/started-by-tests`;
/** The vitest main process: the parent of a forked test worker, or this process for a worker thread. */
const runner = () => (isMainThread ? process.ppid : process.pid);

export type ClusterName = 'kafka' | 'rabbitmq' | 'nsq';
export type NodeSystem = 'kafka' | 'rabbitmq' | 'nsqd';

export const KAFKA_NODES = [1, 2, 3] as const;
export const kafkaBrokers = KAFKA_NODES.map((n) => `127.0.0.1:${39090 + n}`);
export const amqpUrl = (node: number) => `amqp://guest:guest@127.0.0.1:${5790 + node}`;
export const rabbitNode = (node: number) => `rabbit-cluster-${node}@localhost`;
export const nsqdTcpAddress = (node: number) => `127.0.0.1:${4348 + 2 * node}`;
export const nsqdHttpAddress = (node: number) => `127.0.0.1:${4349 + 2 * node}`;
export const LOOKUPD_HTTP_ADDRESS = '127.0.0.1:4361';

/** Every cluster.sh command run, with how long it took (printed, and quoted in docs/reliability.md). */
export const commandLog: Array<{ command: string; ms: number }> = [];

async function cluster(...args: string[]): Promise<string> {
  const started = Date.now();
  try {
    const { stdout } = await run('bash', [SCRIPT, ...args], { env: { ...process.env, TRACEHOP_CLUSTER_STATE: CLUSTER_STATE }, timeout: 600_000 });
    const ms = Date.now() - started;
    commandLog.push({ command: args.join(' '), ms });
    console.info(`[cluster] cluster.sh ${args.join(' ')}: ${(ms / 1000).toFixed(1)} s`);
    return stdout;
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`cluster.sh ${args.join(' ')} failed: ${stderr ?? String(error)}`);
  }
}

export async function clusterUp(name: ClusterName): Promise<void> {
  const wasUp = existsSync(`${CLUSTER_STATE}/${name}`);
  await cluster('up', name);
  if (!wasUp) writeFileSync(STARTED_BY_TESTS, String(runner()));
}

export const clusterDown = (name: ClusterName): Promise<string> => cluster('down', name);
/** A clean stop of one node (data kept). */
export const stopNode = (system: NodeSystem, node: number): Promise<string> => cluster('stop', system, String(node));
/** SIGKILL of one node (data kept): a crash. */
export const killNode = (system: NodeSystem, node: number): Promise<string> => cluster('kill', system, String(node));
/** Starts a stopped or killed node and waits until it has rejoined its cluster. */
export const startNode = (system: NodeSystem, node: number): Promise<string> => cluster('start', system, String(node));

/** Runs rabbitmqctl against one cluster node and returns its standard output. */
export async function rabbitmqctl(node: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('rabbitmqctl', ['-n', rabbitNode(node), '-q', ...args], { timeout: 60_000 });
  return stdout;
}

/** Removes every cluster this test run started (for the integration global teardown, in vitest's main process). */
export async function downClustersStartedByTests(): Promise<void> {
  if (!existsSync(STARTED_BY_TESTS) || readFileSync(STARTED_BY_TESTS, 'utf8') !== String(process.pid)) return;
  await run('bash', [SCRIPT, 'down'], { env: { ...process.env, TRACEHOP_CLUSTER_STATE: CLUSTER_STATE }, timeout: 300_000 });
  rmSync(STARTED_BY_TESTS, { force: true });
}
