/**
 * The nearest-rank percentile `p` (in [0, 100]) of the first `count`
 * values of `values`, sorting them in place; null when there are none.
 *
 * @example
 * percentile(new Float64Array([5, 1, 3]), 3, 50); // 3
 */
export function percentile(values: Float64Array, count: number, p: number): number | null {
  if (count === 0) return null;
  const sorted = values.subarray(0, count).sort();
  const rank = Math.max(1, Math.ceil((p / 100) * count));
  return sorted[rank - 1] as number;
}
