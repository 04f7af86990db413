// The "Where the instrumentation's time goes" section: the profiled floor variants (profile.ts),
// tracehop against `handrolled` and `raw-header` on the instrumentation's own CPU, and what
// each documented behaviour of tracehop's costs per message.
import type { Attribution } from './cpu-profile.js';
import type { ThroughputRow } from './e2e.js';
import type { ProfiledRun, ProfileRow } from './profile.js';
import { formatRatio } from './ratio.js';
import { floorRowsOf } from './variants.js';

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const range = (values: readonly number[], digits: number, unit: string) =>
  `${Math.min(...values).toFixed(digits)}${unit} … ${Math.max(...values).toFixed(digits)}${unit}`;

/** What the SDK and API calls cost, whoever made them: the same work for tracehop and `handrolled`. */
const OTEL = 'calls into the OpenTelemetry packages (SDK spans, API context; `handrolled`: the stock propagators too)';

interface Behaviour {
  readonly pattern: RegExp;
  readonly name: string;
  /** What it buys: the documented behaviour, and where it is documented. */
  readonly why: string;
}

/**
 * A documented behaviour of tracehop's, from the function a sample was charged to (its file,
 * or for the NSQ body its name). First match wins.
 */
const BEHAVIOURS: readonly Behaviour[] = [
  {
    pattern: /^unwrapBody |nsqjs\/(src\/)?(encode-envelope|decode-envelope|envelope-messages|envelope-context)\./,
    name: 'NSQ envelope: encode, decode, `message.body` unwrapped for the handler',
    why: 'NSQ has no headers: the context travels in an envelope (docs/nsq-envelope.md), and the handler must see its own payload, never the envelope (`Object.defineProperty` of `body` per message)',
  },
  {
    pattern: /settlement-tracker\.|unsettled\.|reader-settlement\.|amqplib\/(src\/)?settle\.|channel-state\./,
    name: 'settlement: the span ends at ack / finish, close or timeout',
    why: 'the conventions end a `process` span when the work ends, at the ack / finish; no span outlives its channel or reader (docs/semantics.md, "When a span ends")',
  },
  {
    pattern: /span-attributes\.|metric-attributes\.|^(attributes|attributesOf|processAttributes|producerAttributes|consumerAttributes|messagingAttributes|addDeprecatedNames) /,
    name: 'semantic-convention attributes',
    why: 'every attribute the messaging conventions ask for (operation name and type, destination, routing key, ids, server address), more than `handrolled` sets',
  },
  {
    pattern: /\/propagation\/|header-index\.|header-source\.|inject-headers\.|header-carrier\.|owned-headers\.|publish-headers\.|fit-header-table\.|header-table-size\.|frame-limit\./,
    name: 'inject + extract: the formats, one header scan, stale headers removed, the AMQP table fitted',
    why: "tracehop's own propagators (docs/propagation.md): case-insensitive names, every format in one scan, stale context headers removed before inject, the caller's headers never written to, an AMQP table that always fits the negotiated frame",
  },
  {
    pattern: /inbound-policy\.|overlay-context\.|random-trace-id-flag\./,
    name: "the handler's context built on the root (inbound and baggage policies)",
    why: 'the handler never inherits the client\'s ambient context; the trust policy filters what the message brought (docs/semantics.md, "The handler\'s context")',
  },
  {
    pattern: /\/metrics\/|^startMeasure /,
    name: 'metrics: the MeterProvider looked up per use',
    why: 'messaging metrics whenever an SDK MeterProvider is registered, even one registered after the client was wrapped (a no-op check without one)',
  },
  {
    pattern: /propagation-choice\.|resolve-options\.|instrumentation-gate\.|semconv-stability\./,
    name: 'configuration read when used (propagator, options)',
    why: 'an SDK started after the client was wrapped is followed: the propagator is re-chosen when the global one changes (docs/propagation.md)',
  },
  {
    pattern: /client-proxy\.|client-registry\./,
    name: 'the client proxy (the original client untouched)',
    why: 'wrappers return a Proxy and never patch the client; nsqjs reads its own state through it, one trap per read',
  },
  {
    pattern: /message-stamp\./,
    name: 'message stamps (one state per process)',
    why: 'the context a message was processed in (`getMessageContext`) and NSQ\'s delivered-once mark, shared by the ESM and CJS builds',
  },
];
const PATHS = 'the consumer and publish paths (processMessage, Publication, hooks, error handling)';
const PATHS_WHY = 'the code that ties the above together per message: hooks that never throw into the app, errors recorded, metrics and spans ended in one place';
const HANDROLLED = "handrolled's own code";

function behaviourOf(name: string): string {
  if (name.includes('/integration/bench/handrolled.')) return HANDROLLED;
  for (const { pattern, name: behaviour } of BEHAVIOURS) if (pattern.test(name)) return behaviour;
  return PATHS;
}

/** µs per message by behaviour, in one run (from all its functions). */
export function byBehaviour(run: Attribution): Map<string, number> {
  const out = new Map<string, number>();
  const add = (behaviour: string, micros: number) => out.set(behaviour, (out.get(behaviour) ?? 0) + micros);
  for (const entry of run.functions) {
    add(OTEL, entry.in.otel);
    add(behaviourOf(entry.name), entry.in.own + entry.in.node);
  }
  return out;
}

/**
 * Which side of 1.0× tracehop is on. Judged on the normalised pairs (the less noisy measure),
 * with the plain ratios stated beside them.
 */
function sideOf(ratios: readonly number[], normalised: readonly number[]): string {
  const plain = `plain ratio: ${ratios.filter((ratio) => ratio > 1).length} of ${ratios.length} repetitions above, ${range(ratios, 2, '×')}`;
  if (Math.min(...normalised) > 1) return `above \`handrolled\` in every repetition per µs of client library (${range(normalised, 2, '×')}; ${plain})`;
  if (Math.max(...normalised) <= 1) return `at or below \`handrolled\` in every repetition per µs of client library (${range(normalised, 2, '×')}; ${plain})`;
  return `on both sides of 1.0× per µs of client library (${range(normalised, 2, '×')}; ${plain}): no difference is claimed`;
}

/** Pairs the runs of two rows by repetition. */
function paired(a: ProfileRow, b: ProfileRow, f: (x: ProfiledRun, y: ProfiledRun) => number): number[] {
  return Array.from({ length: Math.min(a.runs.length, b.runs.length) }, (_, i) => f(a.runs[i]!, b.runs[i]!));
}

/** The largest of tracehop's own behaviours in one variant, as "name 1.23 µs", largest first. */
function largest(costs: Map<string, number>): string {
  return [...costs]
    .filter(([name, micros]) => name !== OTEL && name !== HANDROLLED && micros >= 0.05)
    .sort((a, b) => b[1] - a[1])
    .map(([name, micros]) => `${name.replace(/:.*$/, '')} ${micros.toFixed(2)} µs`)
    .join(', ');
}

const total = (costs: Map<string, number>, skip: string[] = []) => [...costs].filter(([name]) => !skip.includes(name)).reduce((sum, [, micros]) => sum + micros, 0);

/** One broker's remainder, in words: the spans-on gap to `handrolled` and the spans-off cost beyond `raw-header`. */
type Costs = Map<string, number> | undefined;

function whatIsLeft(handrolled: Costs, spans: Costs, nospans: Costs, header: Costs): string[] {
  const out: string[] = [];
  if (handrolled !== undefined && spans !== undefined) {
    out.push(
      `- Spans on: tracehop's calls into the OpenTelemetry packages ${(spans.get(OTEL) ?? 0).toFixed(2)} µs against \`handrolled\`'s ` +
        `${(handrolled.get(OTEL) ?? 0).toFixed(2)} µs (its stock propagators included); its own code ${total(spans, [OTEL]).toFixed(2)} µs against ` +
        `${total(handrolled, [OTEL]).toFixed(2)} µs: ${largest(spans)}.`,
    );
  }
  if (nospans !== undefined && header !== undefined) {
    out.push(`- Spans off: ${(total(nospans) - total(header)).toFixed(2)} µs beyond \`raw-header\`: ${largest(nospans)}${total(header) > 0 ? ` (\`raw-header\`'s own envelope work ${total(header).toFixed(2)} µs)` : ''}.`);
  }
  return out;
}

export function renderProfiles(profiles: readonly ProfileRow[], throughput: readonly ThroughputRow[]): string[] {
  if (profiles.length === 0) return [];
  const find = (broker: string, variant: string) => profiles.find((row) => row.broker === broker && row.variant === variant);
  const unprofiled = (broker: string, variant: string) => throughput.find((row) => row.broker === broker && row.variant === variant)?.cpuMedian;
  const brokers = [...new Set(profiles.map((row) => row.broker))];
  const repetitions = Math.max(...profiles.map((row) => row.runs.length));
  const lines = [
    "## Where the instrumentation's time goes",
    '',
    `The floor variants again, ${repetitions} interleaved repetitions, each timed run under V8's CPU profiler (a sample`,
    'every 100 µs, integration/bench/cpu-profile.ts). Each sample is charged to the owner of the code it is in, walking',
    'up the stack past the OpenTelemetry packages and Node\'s own code to the nearest frame of tracehop, of',
    '`handrolled.ts` (every OpenTelemetry call `handrolled` makes is there), of the NSQ envelope codec (`encodeEnvelope` /',
    '`decodeEnvelope`, which `raw-header` and `handrolled` call by hand too), of the client library, or of the bench',
    'app. **Instrumentation** is what tracehop, `handrolled.ts` and the codec were charged: the SDK spans they make',
    'included, the client library\'s own work (encoding, sockets, its timers) and the broker not. It still moves',
    'between repetitions (on two shared cores the profiler charges a sample to the code that was running when the',
    'broker preempted it, so a disturbed run is slower everywhere); "per µs of client library" divides each run\'s',
    "figure by the client library's own time in the same run, which cancels much of that.",
    'The profiler slows everything it samples alike; "profiled CPU" is the whole process\'s CPU per message under it,',
    'and "≈ without the profiler" scales a figure by the unprofiled CPU per message of the same variant in the',
    'throughput part of this run.',
    '',
    '| broker | handrolled µs/msg | tracehop-spans µs/msg | spans ÷ handrolled (range) | the same, per µs of client library (range) | target ≤ 1.0× | instrumentation ÷ handrolled (range) | raw-header µs/msg | tracehop-nospans µs/msg | nospans − raw-header (range) | ≈ without the profiler | target ≤ 1 µs |',
    '| --- | ---: | ---: | --- | --- | :---: | --- | ---: | ---: | --- | ---: | :---: |',
  ];
  const verdicts: string[] = [];
  for (const broker of brokers) {
    const { floor, spans, instrumentation: door, header, nospans } = floorRowsOf(profiles, broker);
    const instr = (row: ProfileRow | undefined) => (row === undefined ? '—' : `${median(row.runs.map((run) => run.instrumentation)).toFixed(2)}`);
    const cells = [broker, instr(floor), instr(spans)];
    if (floor && spans) {
      const ratios = paired(spans, floor, (x, y) => x.instrumentation / y.instrumentation);
      // A run on a busier machine is slower everywhere: the client library's own time in the
      // same run is the yardstick that cancels that out.
      const normalised = paired(spans, floor, (x, y) => x.instrumentation / x.perMessage.client / (y.instrumentation / y.perMessage.client));
      cells.push(
        `${formatRatio(median(ratios), 1)} (${range(ratios, 2, '×')})`,
        `${formatRatio(median(normalised), 1)} (${range(normalised, 2, '×')})`,
        Math.max(...ratios) <= 1 ? '✅' : median(ratios) <= 1 ? '✅ median' : '❌',
      );
      verdicts.push(`- ${broker}, spans on: ${sideOf(ratios, normalised)}.`);
    } else cells.push('—', '—', '—');
    if (floor && door) {
      const ratios = paired(door, floor, (x, y) => x.instrumentation / y.instrumentation);
      cells.push(`${formatRatio(median(ratios), 1)} (${range(ratios, 2, '×')})`);
    } else cells.push('—');
    cells.push(instr(header), instr(nospans));
    if (header && nospans) {
      const added = paired(nospans, header, (x, y) => x.instrumentation - y.instrumentation);
      const scale = (unprofiled(broker, 'tracehop-nospans') ?? NaN) / median(nospans.cpu);
      const estimate = median(added) * scale;
      cells.push(`${median(added).toFixed(2)} µs (${range(added, 2, ' µs')})`, Number.isFinite(estimate) ? `${estimate.toFixed(2)} µs` : '—', (Number.isFinite(estimate) ? estimate : median(added)) <= 1 ? '✅' : '❌');
      const scaled = added.map((micros) => micros * (Number.isFinite(scale) ? scale : 1));
      verdicts.push(
        `- ${broker}, spans off: ${Math.min(...scaled) > 1 ? 'above 1 µs beyond `raw-header` in every repetition' : Math.max(...scaled) <= 1 ? 'within 1 µs of `raw-header` in every repetition' : 'on both sides of 1 µs across repetitions'} (≈ ${range(scaled, 2, ' µs')} without the profiler).`,
      );
    } else cells.push('—', '—', '—');
    lines.push(`| ${cells.join(' | ')} |`);
  }
  lines.push('', 'What the spread lets this run claim:', '', ...verdicts);
  lines.push(
    '',
    `Per behaviour, µs per message under the profiler (the median over the ${repetitions} repetitions of each row; a`,
    "behaviour's share of what the variant was charged): what each documented behaviour of tracehop costs, beside what",
    '`handrolled` spends on the same SDK calls.',
    '',
  );
  for (const broker of brokers) {
    const rows = (['handrolled', 'tracehop-spans', 'tracehop-nospans', 'raw-header'] as const).map((variant) => find(broker, variant));
    if (rows.every((row) => row === undefined)) continue;
    const medians = rows.map((row) => {
      const perRun = row?.runs.map((run) => new Map(Object.entries(run.behaviours))) ?? [];
      const names = new Set(perRun.flatMap((run) => [...run.keys()]));
      return new Map([...names].map((name) => [name, median(perRun.map((run) => run.get(name) ?? 0))]));
    });
    const names = [OTEL, HANDROLLED, ...BEHAVIOURS.map(({ name }) => name), PATHS].filter((name) => medians.some((m) => (m.get(name) ?? 0) >= 0.005));
    lines.push(`**${broker}**`, '', '| behaviour | handrolled | tracehop-spans | tracehop-nospans | raw-header |', '| --- | ---: | ---: | ---: | ---: |');
    for (const name of names) {
      lines.push(`| ${name} | ${medians.map((m) => (m.has(name) ? (m.get(name)!).toFixed(2) : '—')).join(' | ')} |`);
    }
    lines.push(`| **instrumentation, all** | ${rows.map((row) => (row === undefined ? '—' : median(row.runs.map((run) => run.instrumentation)).toFixed(2))).join(' | ')} |`);
    lines.push(`| profiled CPU per message (whole process) | ${rows.map((row) => (row === undefined ? '—' : median(row.cpu).toFixed(1))).join(' | ')} |`, '');
    const [handrolled, spans, nospans, header] = rows.map((row, i) => (row === undefined ? undefined : medians[i]!));
    lines.push(...whatIsLeft(handrolled, spans, nospans, header), '');
  }
  lines.push(
    'What each behaviour buys (what a user would lose without it):',
    '',
    ...BEHAVIOURS.map(({ name, why }) => `- **${name}**: ${why}.`),
    `- **${PATHS}**: ${PATHS_WHY}.`,
    '',
  );
  return lines;
}
