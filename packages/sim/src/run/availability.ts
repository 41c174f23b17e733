/**
 * A journey's availability over a run (successes over finished requests)
 * and its 95% confidence interval by batch means: each second is a batch,
 * and the ratio estimator's standard error is taken from how the seconds'
 * success counts vary around it (so correlation within a second, such as a
 * burst of failures, widens the interval as it should). Null when no
 * request finished.
 *
 * @example
 * availabilityOf([100, 100], [0, 2]); // { availability: 0.99, ci95: [...] }
 */
export function availabilityOf(
  goodput: readonly number[],
  errors: readonly number[],
): { availability: number | null; ci95: [number, number] | null } {
  let succeeded = 0;
  let finished = 0;
  for (let i = 0; i < goodput.length; i++) {
    succeeded += goodput[i] as number;
    finished += (goodput[i] as number) + (errors[i] as number);
  }
  if (finished === 0) return { availability: null, ci95: null };
  const availability = succeeded / finished;
  const k = goodput.length;
  if (k < 2) return { availability, ci95: [availability, availability] };
  const meanFinished = finished / k;
  let squares = 0;
  for (let i = 0; i < k; i++) {
    const n = (goodput[i] as number) + (errors[i] as number);
    const residual = (goodput[i] as number) - availability * n;
    squares += residual * residual;
  }
  const standardError = Math.sqrt(squares / (k * (k - 1))) / meanFinished;
  const half = 1.96 * standardError;
  return { availability, ci95: [Math.max(0, availability - half), Math.min(1, availability + half)] };
}
