// Runs an application as its own Node process, the way it is deployed, with its spans exported
// over OTLP/HTTP (JSON) to a collector in the test: nothing in the app knows it is tested. The
// process is bounded in time: killed (SIGKILL) if it has not exited by the deadline, and the
// run then fails with what it printed.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { OtlpCollector, type DemoSpan, type OtlpResourceSpans } from '../../demo/collector.js';
import type { BrokerEndpoints } from '../../setup/endpoints.js';

export const appsDir = fileURLToPath(new URL('../apps/', import.meta.url));

/** An exported span, with its service and the scope (instrumentation) that made it. */
export interface AppSpan extends DemoSpan {
  readonly scope: string;
}

function flatten(batches: readonly OtlpResourceSpans[]): AppSpan[] {
  return batches.flatMap((batch) => {
    const service = batch.resource?.attributes?.find((entry) => entry.key === 'service.name')?.value.stringValue ?? '?';
    return batch.scopeSpans.flatMap((scope) =>
      scope.spans.map((span) => ({ ...span, attributes: span.attributes ?? [], service, scope: scope.scope?.name ?? '?' })),
    );
  });
}

export interface AppRun {
  readonly spans: AppSpan[];
  readonly stdout: string;
  readonly stderr: string;
  /** The JSON lines the app printed on stdout. */
  readonly reports: Array<Record<string, unknown>>;
}

export interface AppOptions {
  /** Node's flags before the entry point (`--import ./telemetry.mjs`, `--require …`). */
  readonly execArgv: readonly string[];
  readonly entry: string;
  readonly cwd?: string;
  readonly brokers: BrokerEndpoints;
  readonly env?: Record<string, string>;
  /** Default 60 s. */
  readonly timeoutMs?: number;
  /**
   * For a service that runs until told to stop: once it has printed a JSON line for which this
   * holds, it gets SIGTERM (its telemetry flushes and exits); the run still waits for its exit.
   */
  readonly stopWhen?: (report: Record<string, unknown>) => boolean;
  /** Told each JSON line the app prints, as it prints it, with a way to write a line to its stdin. */
  readonly onReport?: (report: Record<string, unknown>, write: (line: string) => void) => void;
}

/** The built packages a child process loads (it uses the packages' `import` / `require` exports). */
export function assertPackagesBuilt(): void {
  for (const name of ['core', 'kafkajs', 'amqplib', 'nsqjs']) {
    const built = fileURLToPath(new URL(`../../../packages/${name}/dist/cjs/index.js`, import.meta.url));
    if (!existsSync(built)) throw new Error(`packages/${name} is not built: run \`pnpm build\` (npm test does) before these tests`);
  }
}

/** The complete JSON lines printed so far. */
function reportsOf(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .slice(0, -1)
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Starts the app, waits for it to exit (0) and returns what it exported and printed. */
export async function runApp(options: AppOptions): Promise<AppRun> {
  const collector = new OtlpCollector();
  const url = await collector.start();
  const { brokers } = options;
  const child = spawn(process.execPath, [...options.execArgv, options.entry], {
    cwd: options.cwd ?? appsDir,
    env: {
      ...process.env,
      KAFKA_BROKERS: brokers.kafkaBrokers.join(','),
      AMQP_URL: brokers.amqpUrl,
      NSQD_TCP_ADDRESS: brokers.nsqdTcpAddress,
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      OTEL_SERVICE_NAME: 'orders-app',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url,
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      ...options.env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let seen = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    const reports = reportsOf(stdout);
    for (const report of reports.slice(seen)) options.onReport?.(report, (line) => child.stdin.write(`${line}\n`));
    seen = reports.length;
    if (options.stopWhen !== undefined && reports.some(options.stopWhen)) child.kill('SIGTERM');
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), options.timeoutMs ?? 60_000)));
  try {
    const outcome = await Promise.race([exited, timedOut]);
    if (outcome === 'timeout') {
      child.kill('SIGKILL');
      await exited;
      throw new Error(`${options.entry} did not exit in time\nstdout:\n${stdout}\nstderr:\n${stderr}`);
    }
    if (outcome !== 0) throw new Error(`${options.entry} exited with code ${outcome}\nstdout:\n${stdout}\nstderr:\n${stderr}`);
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await collector.stop();
  }
  return { spans: flatten(collector.batches), stdout, stderr, reports: reportsOf(stdout) };
}
