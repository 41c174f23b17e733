/**
 * The nearest-rank percentile of ascending `sorted` values: the smallest
 * value with at least `p`% of the values at or below it. Null when empty.
 *
 * @example
 * percentile([10, 20, 30, 40], 50); // 20
 * percentile([10, 20, 30, 40], 99); // 40
 */
export function percentile(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}
