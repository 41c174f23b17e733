/**
 * P(X >= k) for X ~ Binomial(n, p): the probability that at least `k` of `n`
 * independent instances, each up with probability `p`, are up. Works in log
 * space so that large groups (n in the thousands) neither underflow nor
 * overflow, and sums the smaller tail so that figures near 1 keep their
 * nines (1 - 1e-12 stays 1 - 1e-12).
 *
 * @example
 * atLeast(2, 1, 0.995); // 1 - 0.005^2 = 0.999975
 * atLeast(3, 2, 0.9);   // 3 * 0.9^2 * 0.1 + 0.9^3 = 0.972
 */
export function atLeast(n: number, k: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p >= 1) return 1;
  if (p <= 0) return 0;
  const logP = Math.log(p);
  const logQ = Math.log1p(-p);
  // log pmf(j), built incrementally: log C(n, j) + j log p + (n - j) log q.
  let logC = 0;
  let below = 0; // P(X < k)
  let above = 0; // P(X >= k)
  for (let j = 0; j <= n; j++) {
    if (j > 0) logC += Math.log((n - j + 1) / j);
    const pmf = Math.exp(logC + j * logP + (n - j) * logQ);
    if (j < k) below += pmf;
    else above += pmf;
  }
  return above < 0.5 ? above : 1 - below;
}
