/** Formats a duration in nanoseconds with a unit a reader can compare at a glance. */
export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return 'n/a';
  if (ns < 1_000) return `${ns.toFixed(ns < 10 ? 2 : 1)} ns`;
  if (ns < 1_000_000) return `${(ns / 1_000).toFixed(2)} µs`;
  if (ns < 1_000_000_000) return `${(ns / 1_000_000).toFixed(2)} ms`;
  return `${(ns / 1_000_000_000).toFixed(2)} s`;
}

export function formatRate(perSec: number): string {
  if (!Number.isFinite(perSec)) return 'n/a';
  if (perSec >= 1_000_000) return `${(perSec / 1_000_000).toFixed(2)} M`;
  if (perSec >= 1_000) return `${(perSec / 1_000).toFixed(1)} k`;
  return perSec.toFixed(1);
}

export function formatValue(value: number, unit: string): string {
  if (unit === 'ns') return formatNs(value);
  if (unit === '/s') return `${formatRate(value)}/s`;
  if (unit === 'x') return `${value.toFixed(2)}x`;
  if (unit === '%') return `${value.toFixed(1)} %`;
  return `${value.toPrecision(4)} ${unit}`;
}

/** Renders rows as a plain aligned text table (first row is the header). */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length))) ?? [];
  const line = (row: readonly string[]) =>
    row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join('  ');
  const [header, ...body] = rows;
  if (!header) return '';
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
