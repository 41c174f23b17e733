import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { erlangC, mmc } from "./erlang-c.js";

/** The textbook formula (sums of a^k / k!), summed in log space so it does not overflow: an independent check. */
function erlangCBySums(c: number, a: number): number {
  const logTerm = (k: number) => k * Math.log(a) - logFactorial(k);
  const below = Array.from({ length: c }, (_, k) => logTerm(k));
  const top = logTerm(c) + Math.log(c / (c - a));
  const largest = Math.max(top, ...below);
  const sumBelow = below.reduce((sum, t) => sum + Math.exp(t - largest), 0);
  const topScaled = Math.exp(top - largest);
  return topScaled / (sumBelow + topScaled);
}

function logFactorial(n: number): number {
  let sum = 0;
  for (let k = 2; k <= n; k++) sum += Math.log(k);
  return sum;
}

describe("erlangC", () => {
  it("matches known values", () => {
    assert.ok(Math.abs(erlangC(1, 0.8) - 0.8) < 1e-12, "M/M/1: the utilization");
    assert.ok(Math.abs(erlangC(2, 1) - 1 / 3) < 1e-12, "M/M/2 at a = 1: 2 rho^2 / (1 + rho)");
    assert.ok(Math.abs(erlangC(2, 1.5) - 9 / 14) < 1e-12);
    assert.equal(Math.round(erlangC(10, 8) * 10_000) / 10_000, 0.4092);
    assert.equal(erlangC(3, 0), 0);
  });

  it("agrees with the sum formula from 1 to 1,000 servers", () => {
    for (const [c, a] of [
      [5, 2.5],
      [10, 9.5],
      [50, 40],
      [1000, 950],
    ] as const) {
      const expected = erlangCBySums(c, a);
      assert.ok(Math.abs(erlangC(c, a) - expected) < 1e-9 * Math.max(1, expected), `c=${c} a=${a}`);
    }
  });

  it("refuses an unstable queue", () => {
    assert.throws(() => erlangC(10, 10), /offered must be in \[0, servers\)/);
    assert.throws(() => erlangC(0, 0.5), /servers/);
  });
});

describe("mmc", () => {
  it("gives the M/M/10 figures at utilization 0.8 (mean service 1)", () => {
    const figures = mmc({ servers: 10, arrivalsPerMs: 8, meanServiceMs: 1 });
    assert.equal(figures.utilization, 0.8);
    assert.equal(Math.round(figures.meanWaitMs * 10_000) / 10_000, 0.2046);
    assert.ok(Math.abs(figures.meanQueueLength - 8 * figures.meanWaitMs) < 1e-12);
    assert.ok(Math.abs(figures.meanResponseMs - figures.meanWaitMs - 1) < 1e-12);
  });
});
