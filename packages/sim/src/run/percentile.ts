/**
 * The nearest-rank percentiles `ps` (each in [0, 100]) of the first `count`
 * values of `values`, sorting them in place once for all of them; nulls
 * when there are none.
 *
 * @example
 * percentiles(new Float64Array([5, 1, 3]), 3, [50, 99]); // [3, 5]
 */
export function percentiles(values: Float64Array, count: number, ps: readonly number[]): (number | null)[] {
  if (count === 0) return ps.map(() => null);
  const sorted = values.subarray(0, count).sort();
  return ps.map((p) => sorted[Math.max(1, Math.ceil((p / 100) * count)) - 1] as number);
}
