/**
 * P(X >= k) for X ~ Binomial(n, p): the probability that at least `k` of `n`
 * independent instances, each up with probability `p`, are up.
 *
 * It sums the smaller tail only, starting at its boundary and walking away
 * from the mode, so that figures near 1 keep their nines (1 - 1e-12 stays
 * 1 - 1e-12), and stops as soon as the next terms cannot change the sum:
 * the work is a few standard deviations of terms at most, not `n`. The
 * first term is computed in log space with Loader's saddle-point form (the
 * one R's `dbinom` uses), exact for groups of any size. When even that
 * walk would be long (a standard deviation above tens of thousands of
 * instances, and a boundary near the mean), the normal approximation with
 * its skewness correction answers instead: its error there is far below
 * the figures shown. The answer is clamped to [0, 1].
 *
 * @example
 * atLeast(2, 1, 0.995); // 1 - 0.005^2 = 0.999975
 * atLeast(3, 2, 0.9);   // 3 * 0.9^2 * 0.1 + 0.9^3 = 0.972
 * atLeast(1e9, 1, 0.995); // 1, at once
 */
export function atLeast(n: number, k: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p >= 1) return 1;
  if (p <= 0) return 0;
  const mode = Math.min(n, Math.floor((n + 1) * p));
  // The smaller tail is the one on the far side of k from the mode.
  const upper = k > mode;
  const start = upper ? k : k - 1;
  const sum = tailSum(n, p, start, upper);
  if (sum === undefined) return normalAtLeast(n, k, p);
  return clamp(upper ? sum : 1 - sum);
}

/** Most terms one tail walk may take before the normal approximation answers. */
const MAX_TERMS = 200_000;

function clamp(x: number): number {
  return Math.min(1, Math.max(0, x));
}

/** Sum of pmf(j) for j from `start` away from the mode (up or down), or undefined past {@link MAX_TERMS}. */
function tailSum(n: number, p: number, start: number, up: boolean): number | undefined {
  const q = 1 - p;
  let term = Math.exp(logPmf(start, n, p));
  let sum = 0;
  let j = start;
  for (let steps = 0; term > 0; steps++) {
    sum += term;
    if (term <= sum * 1e-17) break;
    if (steps >= MAX_TERMS) return undefined;
    if (up) {
      if (j >= n) break;
      term *= ((n - j) / (j + 1)) * (p / q);
      j++;
    } else {
      if (j <= 0) break;
      term *= (j / (n - j + 1)) * (q / p);
      j--;
    }
  }
  return sum;
}

const LOG_2PI = Math.log(2 * Math.PI);

/** log P(X = x), accurate for any n (Loader, "Fast and accurate computation of binomial probabilities", 2000). */
export function logPmf(x: number, n: number, p: number): number {
  const q = 1 - p;
  if (x === 0) return n * Math.log1p(-p);
  if (x === n) return n * Math.log(p);
  const lc = stirlerr(n) - stirlerr(x) - stirlerr(n - x) - bd0(x, n * p) - bd0(n - x, n * q);
  const lf = LOG_2PI + Math.log(x) + Math.log1p(-x / n);
  return lc - 0.5 * lf;
}

/** log(n!) - log(sqrt(2 pi n) (n / e)^n), the error of Stirling's formula, for integers n >= 1. */
function stirlerr(n: number): number {
  if (n <= 15) {
    let logFactorial = 0;
    for (let i = 2; i <= n; i++) logFactorial += Math.log(i);
    return logFactorial - (n + 0.5) * Math.log(n) + n - 0.5 * LOG_2PI;
  }
  const nn = n * n;
  const S0 = 1 / 12;
  const S1 = 1 / 360;
  const S2 = 1 / 1260;
  const S3 = 1 / 1680;
  const S4 = 1 / 1188;
  if (n > 500) return (S0 - S1 / nn) / n;
  if (n > 80) return (S0 - (S1 - S2 / nn) / nn) / n;
  if (n > 35) return (S0 - (S1 - (S2 - S3 / nn) / nn) / nn) / n;
  return (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / n;
}

/** x log(x / np) + np - x, without cancellation when x is close to np. */
function bd0(x: number, np: number): number {
  if (Math.abs(x - np) < 0.1 * (x + np)) {
    let v = (x - np) / (x + np);
    let s = (x - np) * v;
    let ej = 2 * x * v;
    v *= v;
    for (let j = 1; j < 1000; j++) {
      ej *= v;
      const next = s + ej / (2 * j + 1);
      if (next === s) return next;
      s = next;
    }
    return s;
  }
  return x * Math.log(x / np) + np - x;
}

/**
 * P(X >= k) by the normal approximation with continuity and skewness
 * corrections (first Edgeworth term), for groups so large that the exact
 * walk would be long; its error is of order 1 / (n p q).
 */
function normalAtLeast(n: number, k: number, p: number): number {
  const q = 1 - p;
  const sd = Math.sqrt(n * p * q);
  const z = (k - 0.5 - n * p) / sd;
  const skew = (q - p) / sd;
  const density = Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
  return clamp(upperNormal(z) + (skew / 6) * (z * z - 1) * density);
}

/** P(Z > z) for a standard normal Z, accurate in both tails. */
export function upperNormal(z: number): number {
  return z >= 0 ? 0.5 * erfc(z / Math.SQRT2) : 1 - 0.5 * erfc(-z / Math.SQRT2);
}

/** Chebyshev coefficients of erfc (Numerical Recipes, 3rd edition, section 6.2.2). */
const ERFC_COEFFICIENTS = [
  -1.3026537197817094, 0.6419697923564902, 1.9476473204185836e-2, -9.561514786808631e-3, -9.46595344482036e-4,
  3.66839497852761e-4, 4.2523324806907e-5, -2.0278578112534e-5, -1.624290004647e-6, 1.30365583558e-6, 1.5626441722e-8,
  -8.5238095915e-8, 6.529054439e-9, 5.059343495e-9, -9.91364156e-10, -2.27365122e-10, 9.6467911e-11, 2.394038e-12,
  -6.886027e-12, 8.94487e-13, 3.13092e-13, -1.12708e-13, 3.81e-16, 7.106e-15, -1.523e-15, -9.4e-17, 1.21e-16, -2.8e-17,
];

/** The complementary error function for z >= 0, with about 16 significant digits. */
function erfc(z: number): number {
  const t = 2 / (2 + z);
  const ty = 4 * t - 2;
  let d = 0;
  let dd = 0;
  for (let j = ERFC_COEFFICIENTS.length - 1; j > 0; j--) {
    const tmp = d;
    d = ty * d - dd + ERFC_COEFFICIENTS[j]!;
    dd = tmp;
  }
  return t * Math.exp(-z * z + 0.5 * (ERFC_COEFFICIENTS[0]! + ty * d) - dd);
}
