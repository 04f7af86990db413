import { attribute, type DemoSpan } from './collector.js';

const KIND_PRODUCER = 4;
const KIND_CONSUMER = 5;

/** The hops of the pipeline: destination, broker, and the service on each side. */
export const HOPS = [
  { destination: 'orders', broker: 'kafka', producer: 'checkout', consumer: 'billing' },
  { destination: 'invoices', broker: 'rabbitmq', producer: 'billing', consumer: 'shipping' },
  { destination: 'shipments', broker: 'nsq', producer: 'shipping', consumer: 'notifier' },
] as const;

/**
 * Checks the trace the demo produced: one root `checkout`, then for every hop a PRODUCER
 * `send {destination}` whose parent is the previous step, and a CONSUMER
 * `process {destination}` whose parent is that send span (or, for the hop run with
 * `inbound: 'link'`, a new trace that links to it). Returns the problems found.
 */
export function verifyTrace(spans: DemoSpan[], linkHop?: string): string[] {
  const problems: string[] = [];
  const find = (name: string, kind: number, service: string) =>
    spans.filter((span) => span.name === name && span.kind === kind && span.service === service);
  const roots = spans.filter((span) => span.name === 'checkout' && span.service === 'checkout');
  if (roots.length !== 1) return [`expected one "checkout" root span, found ${roots.length}`];
  let previous = roots[0]!;
  const traceIds = new Set([previous.traceId]);

  for (const hop of HOPS) {
    const sends = find(`send ${hop.destination}`, KIND_PRODUCER, hop.producer);
    const processes = find(`process ${hop.destination}`, KIND_CONSUMER, hop.consumer);
    if (sends.length !== 1 || processes.length !== 1) {
      problems.push(`hop ${hop.destination}: expected one send and one process span, found ${sends.length} and ${processes.length}`);
      return problems;
    }
    const send = sends[0]!;
    const processSpan = processes[0]!;
    if (attribute(send, 'messaging.system') !== hop.broker) problems.push(`${send.name}: messaging.system is not ${hop.broker}`);
    if (send.traceId !== previous.traceId || send.parentSpanId !== previous.spanId) {
      problems.push(`${send.name} (${hop.producer}) is not a child of ${previous.name} (${previous.service})`);
    }
    if (linkHop === hop.consumer) {
      const linked = processSpan.links?.some((link) => link.traceId === send.traceId && link.spanId === send.spanId);
      if (!linked) problems.push(`${processSpan.name} (${hop.consumer}, inbound link) has no link to ${send.name}`);
      if (processSpan.traceId === send.traceId) problems.push(`${processSpan.name} (inbound link) did not start a new trace`);
    } else if (processSpan.traceId !== send.traceId || processSpan.parentSpanId !== send.spanId) {
      problems.push(`${processSpan.name} (${hop.consumer}) is not a child of ${send.name} (${hop.producer}): the trace broke on ${hop.broker}`);
    }
    traceIds.add(processSpan.traceId);
    previous = processSpan;
  }
  const expectedTraces = linkHop ? 2 : 1;
  const allTraceIds = new Set(spans.map((span) => span.traceId));
  if (allTraceIds.size !== expectedTraces) {
    problems.push(`expected ${expectedTraces} trace id(s), found ${allTraceIds.size}: ${[...allTraceIds].join(', ')}`);
  }
  return problems;
}
