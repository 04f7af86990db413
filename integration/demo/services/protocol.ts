// How a demo service talks to the demo runner: one message per event over the IPC channel.

/** The headers a message carried on one hop, as the consumer received them. */
export interface HopEvent {
  type: 'hop';
  service: string;
  broker: 'kafka' | 'rabbitmq' | 'nsq';
  destination: string;
  headers: Record<string, string>;
}

export type ServiceEvent = { type: 'ready'; service: string } | HopEvent | { type: 'done'; service: string; orderId: string };

export function report(event: ServiceEvent): void {
  process.send?.(event);
}

/** Text form of a header value, for display: Buffers decoded as UTF-8. */
export function headerText(value: unknown): string {
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (Array.isArray(value)) return value.map(headerText).join(', ');
  return String(value);
}

export function headersAsText(headers: Record<string, unknown> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([key, value]) => [key, headerText(value)]));
}

/**
 * Resolves when the runner asks the service to stop (SIGTERM or a 'stop' message). The
 * message listener is removed then: while one is attached, the IPC channel keeps the process
 * alive after its work is done.
 */
export function stopRequested(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('message', onMessage);
      process.off('SIGTERM', stop);
      resolve();
    };
    const onMessage = (message: unknown) => {
      if (message === 'stop') stop();
    };
    process.once('SIGTERM', stop);
    process.on('message', onMessage);
  });
}

/** The inbound policy for one service: `DEMO_LINK_HOP` names the service that links instead. */
export function inboundFor(service: string): 'parent' | 'link' {
  return process.env.DEMO_LINK_HOP === service ? 'link' : 'parent';
}

export const env = {
  kafkaBrokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  amqpUrl: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  nsqdTcpAddress: process.env.NSQD_TCP_ADDRESS ?? '127.0.0.1:4150',
  nsqdHttpAddress: process.env.NSQD_HTTP_ADDRESS ?? '127.0.0.1:4151',
  runId: process.env.DEMO_RUN_ID ?? 'local',
};
