// The worst-case table of `pnpm bench` (issue 14), rendered for docs/benchmarks.md.
import type { WorstCaseRow } from './worst-case.js';

export type { WorstCaseRow } from './worst-case.js';

const us = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(1));
const mark = (ok: boolean) => (ok ? '✅' : '❌');
const BROKER_LIMITS: Record<WorstCaseRow['broker'], string> = {
  rabbitmq: 'a 64 KiB header table',
  kafka: 'a 1 048 588-byte record',
  nsq: 'a 1 MiB envelope',
};

/** The table, one row per constructed message; empty when the part did not run. */
export function renderWorstCase(rows: readonly WorstCaseRow[]): string[] {
  if (rows.length === 0) return [];
  const lines = [
    '## Worst-case messages',
    '',
    'The most expensive messages constructible within each broker\'s own limits',
    `(${Object.entries(BROKER_LIMITS).map(([broker, limit]) => `${broker}: ${limit}`).join('; ')}), in process:`,
    'tracehop\'s per-message work (extract with all five formats configured; for NSQ the envelope decode too)',
    'next to the client library\'s own decode of the same message (amqplib `decodeFields`, kafkajs\'s record',
    'decoder, nsqjs\'s `Message`). Median of five rounds. Target: tracehop ≤ the library, and ≤ 1 ms.',
    '',
    '| broker | message | bytes | headers | tracehop | library decode | ≤ library | ≤ 1 ms |',
    '| --- | --- | ---: | ---: | ---: | ---: | :---: | :---: |',
  ];
  for (const row of rows) {
    const library = `${us(row.libraryUs)} µs${row.libraryNote === undefined ? '' : ' *'}`;
    lines.push(
      `| ${row.broker} | ${row.shape} | ${row.bytes} | ${row.headers} | ${us(row.tracehopUs)} µs | ${library} | ` +
        `${mark(row.tracehopUs <= row.libraryUs)} | ${mark(row.tracehopUs <= 1000)} |`,
    );
  }
  const noted = rows.filter((row) => row.libraryNote !== undefined);
  if (noted.length > 0) lines.push('', `\\* ${noted[0]!.libraryNote}: a lower bound for the full message.`);
  lines.push('');
  return lines;
}
