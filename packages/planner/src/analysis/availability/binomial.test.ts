import assert from "node:assert/strict";
import { test } from "node:test";
import { atLeast } from "./binomial.js";

const close = (a: number, b: number, eps = 1e-12) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);

test("atLeast matches the binomial sums written out", () => {
  const p = 0.995;
  close(atLeast(2, 1, p), 1 - (1 - p) ** 2);
  close(atLeast(2, 2, p), p ** 2);
  // P(X >= 3) of 4: p^4 + 4 p^3 (1 - p)
  close(atLeast(4, 3, p), p ** 4 + 4 * p ** 3 * (1 - p));
  close(atLeast(3, 2, 0.9), 3 * 0.9 ** 2 * 0.1 + 0.9 ** 3);
});

test("atLeast edges: k <= 0, k > n, p at 0 and 1", () => {
  assert.equal(atLeast(0, 0, 0.5), 1);
  assert.equal(atLeast(3, 4, 0.99), 0);
  assert.equal(atLeast(3, 1, 1), 1);
  assert.equal(atLeast(3, 1, 0), 0);
});

test("atLeast keeps its nines and stays finite for large groups", () => {
  // 1 - 0.005^6 = 1 - 1.5625e-14: summing the small tail keeps it (to the double's spacing near 1).
  close(atLeast(6, 1, 0.995), 1 - 0.005 ** 6, 2.3e-16);
  assert.ok(atLeast(6, 1, 0.995) < 1);
  // Mean 4975, sd 5: P(X >= 4975) is about one half, with every pmf term underflowing outside log space.
  const big = atLeast(5000, 4975, 0.995);
  assert.ok(big > 0.45 && big < 0.6, String(big));
  assert.equal(atLeast(5000, 4800, 0.995), 1);
});
