// `pnpm demo`: one traced order through Kafka → RabbitMQ → NSQ, printed as a waterfall.
//   OTEL_PROPAGATORS=b3multi pnpm demo     the same trace, with B3 headers on the wire
//   pnpm demo --link shipping              that hop uses inbound: 'link' (or DEMO_LINK_HOP=shipping)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runDemo } from './pipeline.js';
import { verifyTrace } from './verify.js';
import { flattenMetrics, renderMetrics } from './metrics-table.js';
import { renderHops, renderWaterfall } from './waterfall.js';

const linkIndex = process.argv.indexOf('--link');
const linkHop = linkIndex > 0 ? (process.argv[linkIndex + 1] ?? 'shipping') : process.env.DEMO_LINK_HOP || undefined;
if (linkHop !== undefined && !['billing', 'shipping', 'notifier'].includes(linkHop)) {
  console.error(`--link takes billing, shipping or notifier (got "${linkHop}")`);
  process.exit(2);
}

const format = process.env.OTEL_PROPAGATORS || 'tracecontext,baggage (default)';
console.log(`tracehop demo: checkout → Kafka → billing → RabbitMQ → shipping → NSQ → notifier`);
console.log(`propagation: ${format}${linkHop ? `; ${linkHop} uses inbound: 'link'` : ''}\n`);

try {
  const { spans, hops, otlp, metrics } = await runDemo({ linkHop });
  console.log(renderWaterfall(spans));
  console.log(renderHops(hops));
  const points = flattenMetrics(metrics);
  console.log(`\n${renderMetrics(points)}`);
  const outDir = resolve(process.env.DEMO_OUTPUT_DIR ?? 'demo-output');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, 'trace.otlp.json');
  writeFileSync(file, `${JSON.stringify(otlp, null, 2)}\n`);
  console.log(`\n${spans.length} spans written as OTLP JSON to ${file} (import it into Jaeger or Grafana Tempo)`);
  const metricsFile = join(outDir, 'metrics.otlp.json');
  writeFileSync(metricsFile, `${JSON.stringify(metrics, null, 2)}\n`);
  console.log(`${points.length} metric points written as OTLP JSON to ${metricsFile}`);
  const problems = verifyTrace(spans, linkHop);
  if (problems.length > 0) {
    console.error(`\nTHE TRACE IS BROKEN:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    process.exit(1);
  }
  const traceIds = new Set(spans.map((span) => span.traceId));
  console.log(
    linkHop
      ? `OK: ${traceIds.size} traces, joined by a link at ${linkHop}`
      : `OK: one trace id across Kafka, RabbitMQ and NSQ: ${[...traceIds][0]}`,
  );
} catch (error) {
  console.error(`\nthe demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
