// Dedicated broker instances for fault tests: started by integration/brokers/brokers.sh from
// their own state directory, on their own ports, so that stopping, restarting or crashing
// them never disturbs the shared brokers other tests use.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../brokers/brokers.sh', import.meta.url));

export type BrokerName = 'kafka' | 'rabbitmq' | 'nsqd';

/** A clean restart (controlled shutdown, data kept) or a crash (SIGKILL, data kept). */
export type Fault = 'restart' | 'crash';

/**
 * The faults each fault test runs, in order: one clean restart in the normal suite; under
 * `pnpm test:soak` (TRACEHOP_SOAK=1) restarts and crashes, alternating.
 */
export const FAULTS: readonly Fault[] = process.env.TRACEHOP_SOAK === '1' ? ['restart', 'crash', 'restart', 'crash', 'restart'] : ['restart'];

/** Ports and names no shared broker (nor the Kafka 4 trial on 19092) uses. */
const SETTINGS: Record<BrokerName, Record<string, string>> = {
  kafka: { TRACEHOP_KAFKA_PORT: '29092', TRACEHOP_KAFKA_CONTROLLER_PORT: '29093' },
  rabbitmq: { TRACEHOP_AMQP_PORT: '5682', TRACEHOP_RABBITMQ_NODENAME: 'rabbit-reliability@localhost', TRACEHOP_RABBITMQ_DIST_PORT: '25682' },
  nsqd: { TRACEHOP_NSQD_TCP_PORT: '24150', TRACEHOP_NSQD_HTTP_PORT: '24151' },
};

/** One dedicated broker: its addresses, and the faults that can be done to it. */
export class DedicatedBroker {
  readonly name: BrokerName;
  readonly #env: NodeJS.ProcessEnv;
  /** Every brokers.sh command run, in order, with how long it took (for docs/reliability.md). */
  readonly log: Array<{ command: string; ms: number }> = [];

  constructor(name: BrokerName) {
    this.name = name;
    const env: NodeJS.ProcessEnv = { ...process.env, ...SETTINGS[name], TRACEHOP_BROKERS: 'native', TRACEHOP_BROKERS_STATE: `/tmp/tracehop-reliability-${name}` };
    // Addresses given by the environment would make brokers.sh leave the broker alone.
    delete env.KAFKA_BROKERS;
    delete env.AMQP_URL;
    delete env.NSQD_TCP_ADDRESS;
    delete env.NSQD_HTTP_ADDRESS;
    this.#env = env;
  }

  get kafkaBrokers(): string[] {
    return [`127.0.0.1:${SETTINGS.kafka.TRACEHOP_KAFKA_PORT}`];
  }

  get amqpUrl(): string {
    return `amqp://guest:guest@127.0.0.1:${SETTINGS.rabbitmq.TRACEHOP_AMQP_PORT}`;
  }

  get nsqdTcpAddress(): string {
    return `127.0.0.1:${SETTINGS.nsqd.TRACEHOP_NSQD_TCP_PORT}`;
  }

  get nsqdHttpAddress(): string {
    return `127.0.0.1:${SETTINGS.nsqd.TRACEHOP_NSQD_HTTP_PORT}`;
  }

  async #brokers(command: 'up' | 'down' | 'stop' | 'kill'): Promise<void> {
    const started = Date.now();
    try {
      await run('bash', [SCRIPT, command, this.name], { env: this.#env, timeout: 180_000 });
    } catch (error) {
      const { stderr } = error as { stderr?: string };
      throw new Error(`brokers.sh ${command} ${this.name} failed: ${stderr ?? String(error)}`);
    }
    this.log.push({ command, ms: Date.now() - started });
  }

  /** Starts the broker (installing nothing new: the shared one's binaries are reused). */
  up(): Promise<void> {
    return this.#brokers('up');
  }

  /** Stops it and deletes its data. */
  down(): Promise<void> {
    return this.#brokers('down');
  }

  /** A clean restart: a controlled shutdown that keeps the data, then a start. */
  async restart(): Promise<void> {
    await this.#brokers('stop');
    await this.#brokers('up');
  }

  /** A crash: SIGKILL, data kept, then a start (the broker recovers its logs). */
  async crashAndRecover(): Promise<void> {
    await this.#brokers('kill');
    await this.#brokers('up');
  }

  /** The stop half of a clean restart, for tests that act while the broker is down. */
  stop(): Promise<void> {
    return this.#brokers('stop');
  }

  /** The crash half of a crash-and-recover: SIGKILL, data kept. */
  kill(): Promise<void> {
    return this.#brokers('kill');
  }

  /** Takes the broker down the way `fault` says. */
  takeDown(fault: Fault): Promise<void> {
    return fault === 'restart' ? this.stop() : this.kill();
  }
}
