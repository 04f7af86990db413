import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { OtlpCollector, flattenSpans, type DemoSpan, type OtlpResourceMetrics, type OtlpResourceSpans } from './collector.js';
import type { HopEvent, ServiceEvent } from './services/protocol.js';

export interface DemoOptions {
  /** Broker addresses; default: the native brokers on 127.0.0.1. */
  readonly env?: NodeJS.ProcessEnv;
  /** Run this service's consumer with `inbound: 'link'` (billing, shipping or notifier). */
  readonly linkHop?: string;
  /** Give up after this long. Default 90 s. */
  readonly timeoutMs?: number;
  /** Where the services' own output goes. Default: discarded unless DEMO_VERBOSE is set. */
  readonly verbose?: boolean;
}

export interface DemoResult {
  readonly spans: DemoSpan[];
  readonly hops: HopEvent[];
  readonly otlp: { resourceSpans: OtlpResourceSpans[] };
  /** The messaging metrics the services recorded, as OTLP/JSON. */
  readonly metrics: { resourceMetrics: OtlpResourceMetrics[] };
}

/** The order in which a message crosses the brokers. */
const HOP_ORDER: ReadonlyArray<HopEvent['broker']> = ['kafka', 'rabbitmq', 'nsq'];

const servicePath = (name: string) => fileURLToPath(new URL(`./services/${name}.ts`, import.meta.url));

/** The consumers first (started together, each waited for until ready), then the checkout that starts the trace. */
const CONSUMERS = ['notifier', 'shipping', 'billing'] as const;

class Service {
  readonly events: ServiceEvent[] = [];
  readonly exited: Promise<number | null>;
  readonly #waiters: Array<() => void> = [];

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    child.on('message', (event: ServiceEvent) => {
      this.events.push(event);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.exited = new Promise((resolve) => child.once('exit', (code) => {
      for (const wake of this.#waiters.splice(0)) wake();
      resolve(code);
    }));
  }

  /** Resolves when an event of this type arrives; rejects if the process exits first. */
  async waitFor(type: ServiceEvent['type'], deadline: number): Promise<void> {
    while (!this.events.some((event) => event.type === type)) {
      if (this.child.exitCode !== null) throw new Error(`${this.name} exited (code ${this.child.exitCode}) before "${type}"`);
      if (Date.now() > deadline) throw new Error(`${this.name} did not report "${type}" in time`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 250);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

/**
 * Runs the order pipeline as four Node processes — checkout → Kafka → billing → RabbitMQ →
 * shipping → NSQ → notifier — each exporting its spans (and, at exit, its metrics) over
 * OTLP/HTTP to a collector here.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const collector = new OtlpCollector();
  const url = await collector.start();
  const runId = randomUUID().slice(0, 8);
  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  const verbose = options.verbose ?? Boolean(process.env.DEMO_VERBOSE);
  const services: Service[] = [];
  const start = (name: string) => {
    const child = fork(servicePath(name), [], {
      execArgv: ['--conditions=tracehop-source', '--import', 'tsx'],
      env: {
        ...process.env,
        ...options.env,
        DEMO_OTLP_URL: url,
        DEMO_RUN_ID: runId,
        DEMO_LINK_HOP: options.linkHop ?? '',
        KAFKAJS_NO_PARTITIONER_WARNING: '1',
      },
      stdio: verbose ? 'inherit' : ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const service = new Service(name, child);
    services.push(service);
    return service;
  };

  try {
    await Promise.all(CONSUMERS.map((name) => start(name).waitFor('ready', deadline)));
    const checkout = start('checkout');
    const notifier = services[0]!;
    await notifier.waitFor('done', deadline);
    const code = await checkout.exited;
    if (code !== 0) throw new Error(`checkout exited with code ${code}`);
  } finally {
    for (const service of services) if (service.child.exitCode === null) service.child.send('stop');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(services.map((service) => service.exited)),
      new Promise((resolve) => (timer = setTimeout(resolve, 15_000))),
    ]);
    clearTimeout(timer);
    for (const service of services) if (service.child.exitCode === null) service.child.kill('SIGKILL');
    await collector.stop();
  }

  return {
    spans: flattenSpans(collector.batches),
    hops: services
      .flatMap((service) => service.events.filter((event): event is HopEvent => event.type === 'hop'))
      .sort((a, b) => HOP_ORDER.indexOf(a.broker) - HOP_ORDER.indexOf(b.broker)),
    otlp: collector.document(),
    metrics: collector.metricsDocument(),
  };
}
