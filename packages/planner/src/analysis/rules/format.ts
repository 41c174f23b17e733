/**
 * Number and duration formats shared by finding messages, so that every
 * figure in a message reads the same way (and matches the JSON fields).
 */

/**
 * Up to three decimals, no trailing zeros.
 *
 * @example
 * decimals3(4 / 3); // 1.333
 */
export function decimals3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/**
 * A fraction as a percent with up to four decimals.
 *
 * @example
 * percent(0.99950123); // "99.9501%"
 */
export function percent(fraction: number): string {
  return `${Math.round(fraction * 100 * 10_000) / 10_000}%`;
}

/**
 * Milliseconds in the spec's own units: 0, 250ms, 45s, 5m, 1.5h, 24h, 30d.
 *
 * @example
 * duration(5_400_000); // "1.5h"
 */
export function duration(ms: number): string {
  if (ms === 0) return "0";
  if (ms < 1000) return `${decimals3(ms)}ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${decimals3(seconds)}s`;
  if (seconds < 3600) return `${decimals3(seconds / 60)}m`;
  if (seconds < 2 * 86_400) return `${decimals3(seconds / 3600)}h`;
  return `${decimals3(seconds / 86_400)}d`;
}

/**
 * A count with its noun.
 *
 * @example
 * plural(3, "instance"); // "3 instances"
 */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
