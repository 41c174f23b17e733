/**
 * An availability as a percentage with enough digits to tell nines apart:
 * four decimals of a percent.
 *
 * @example
 * percent(0.99714737); // "99.7147%"
 */
export function percent(value: number | null): string {
  return value === null ? "n/a" : `${(value * 100).toFixed(4)}%`;
}

/**
 * A number with thousands separators and at most `digits` decimals.
 *
 * @example
 * count(1234567.891, 1); // "1,234,567.9"
 */
export function count(value: number, digits = 0): string {
  return value.toLocaleString("en-US", { maximumFractionDigits: digits });
}

/**
 * A duration in ms, short: `850 ms`, `12.5 s`, `3.2 min`, `1.5 h`.
 *
 * @example
 * duration(90_000); // "1.5 min"
 */
export function duration(ms: number | null): string {
  if (ms === null) return "n/a";
  if (ms < 1000) return `${count(ms, 1)} ms`;
  if (ms < 60_000) return `${count(ms / 1000, 1)} s`;
  if (ms < 3_600_000) return `${count(ms / 60_000, 1)} min`;
  return `${count(ms / 3_600_000, 1)} h`;
}

/**
 * Columns padded to their widest cell, two spaces apart.
 *
 * @example
 * columns([["a", "bb"], ["ccc", "d"]]); // ["a    bb", "ccc  d"]
 */
export function columns(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] as number)))
      .join("  ")
      .trimEnd(),
  );
}
