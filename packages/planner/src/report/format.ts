/**
 * Number formatting for people: durations as `5m` / `1h 30m`, money with its
 * currency, availabilities as percentages with enough nines to tell them
 * apart. JSON output never goes through these (it keeps seconds and
 * fractions).
 */

const UNITS: [string, number][] = [
  ["d", 86_400],
  ["h", 3_600],
  ["m", 60],
  ["s", 1],
];

/**
 * A duration in milliseconds as people write it, in at most two units.
 *
 * @example
 * formatDuration(300_000); // "5m"
 * formatDuration(5_400_000); // "1h 30m"
 * formatDuration(250); // "250ms"
 */
export function formatDuration(ms: number | null): string {
  if (ms === null) return "—";
  if (!Number.isFinite(ms)) return "∞";
  if (ms === 0) return "0";
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const seconds = ms / 1000;
  // Round to the smaller of the two units shown, then split.
  const index = (value: number): number =>
    Math.max(
      0,
      UNITS.findIndex(([, size]) => value >= size),
    );
  const first = index(seconds);
  const step = UNITS[Math.min(first + 1, UNITS.length - 1)]![1];
  const rounded = Math.round(seconds / step) * step;
  const i = index(rounded);
  const [bigUnit, big] = UNITS[i]!;
  const [smallUnit, small] = UNITS[Math.min(i + 1, UNITS.length - 1)]!;
  const whole = Math.floor(rounded / big);
  const rest = Math.round((rounded - whole * big) / small);
  return rest > 0 && small !== big ? `${whole}${bigUnit} ${rest}${smallUnit}` : `${whole}${bigUnit}`;
}

/**
 * Minutes of downtime as a short human duration.
 *
 * @example
 * formatMinutes(262.98); // "4h 23m"
 * formatMinutes(0.4); // "24s"
 */
export function formatMinutes(minutes: number): string {
  return formatDuration(minutes * 60_000);
}

/**
 * An availability fraction as a percentage. Shows at least `digits`
 * decimals and more when needed to show the first non-nine digit, so that
 * 0.99994 does not print as 99.99%.
 *
 * @example
 * formatPercent(0.9995); // "99.950%"
 * formatPercent(0.999994); // "99.9994%"
 */
export function formatPercent(fraction: number, digits = 3): string {
  if (fraction >= 1) return "100%";
  if (fraction <= 0) return "0%";
  // One decimal past the run of nines, so 0.999994 does not round to 99.999%.
  const nines = Math.floor(-Math.log10(1 - fraction));
  const decimals = Math.min(10, Math.max(digits, nines - 1));
  return `${(fraction * 100).toFixed(decimals)}%`;
}

/**
 * Money with its currency, rounded to whole units with thousands separators.
 *
 * @example
 * formatMoney(1234567.8, "USD"); // "1,234,568 USD"
 */
export function formatMoney(amount: number, currency: string): string {
  const rounded = Math.round(amount);
  return `${rounded.toLocaleString("en-US")} ${currency}`;
}

/**
 * A ratio such as a headroom, with two decimals; `∞` for Infinity.
 *
 * @example
 * formatRatio(1.25); // "1.25x"
 */
export function formatRatio(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined) return "—";
  if (!Number.isFinite(ratio)) return "∞";
  return `${ratio.toFixed(2)}x`;
}
