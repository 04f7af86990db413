// A small SVG line chart: stacked panels sharing one time axis. No dependency: the numbers
// are few and the picture is simple.

export interface Series {
  readonly title: string;
  readonly unit: string;
  readonly points: ReadonlyArray<readonly [number, number]>;
  readonly color: string;
  /** The top of the y axis; default: the largest value. */
  readonly max?: number;
}

const WIDTH = 760;
const PANEL = 150;
const LEFT = 70;
const RIGHT = 20;
const TOP = 40;
const GAP = 40;

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function renderChart(title: string, series: readonly Series[], seconds: number): string {
  const height = TOP + series.length * (PANEL + GAP) + 10;
  const x = (t: number) => LEFT + ((WIDTH - LEFT - RIGHT) * t) / seconds;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${LEFT}" y="22" font-size="15" font-weight="bold">${escape(title)}</text>`,
  ];
  series.forEach((one, index) => {
    const top = TOP + index * (PANEL + GAP);
    const max = one.max ?? Math.max(1, ...one.points.map(([, v]) => v));
    const y = (v: number) => top + PANEL - (PANEL * v) / max;
    parts.push(`<text x="${LEFT}" y="${top - 6}" font-weight="bold">${escape(one.title)} (${escape(one.unit)})</text>`);
    parts.push(`<line x1="${LEFT}" y1="${top + PANEL}" x2="${WIDTH - RIGHT}" y2="${top + PANEL}" stroke="#999"/>`);
    parts.push(`<line x1="${LEFT}" y1="${top}" x2="${LEFT}" y2="${top + PANEL}" stroke="#999"/>`);
    for (const fraction of [0, 0.5, 1]) {
      const value = max * fraction;
      const label = value >= 100 ? Math.round(value).toString() : Number(value.toFixed(2)).toString();
      parts.push(`<text x="${LEFT - 6}" y="${y(value) + 4}" text-anchor="end" fill="#555">${label}</text>`);
      parts.push(`<line x1="${LEFT}" y1="${y(value)}" x2="${WIDTH - RIGHT}" y2="${y(value)}" stroke="#eee"/>`);
    }
    const line = one.points.map(([t, v]) => `${x(t).toFixed(1)},${y(Math.min(v, max)).toFixed(1)}`).join(' ');
    parts.push(`<polyline fill="none" stroke="${one.color}" stroke-width="2" points="${line}"/>`);
  });
  const axisY = TOP + series.length * (PANEL + GAP) - GAP + 16;
  for (let t = 0; t <= seconds; t += Math.max(1, Math.round(seconds / 10))) {
    parts.push(`<text x="${x(t)}" y="${axisY}" text-anchor="middle" fill="#555">${t}s</text>`);
  }
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
