import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SeededRandom } from "@nines/core";
import { constant, type Distribution, exponential, lognormal, uniform } from "./distributions.js";

function moments(distribution: Distribution, n: number): { mean: number; cv: number; min: number } {
  const random = new SeededRandom(11);
  let sum = 0;
  let squares = 0;
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const x = distribution.sample(random);
    sum += x;
    squares += x * x;
    if (x < min) min = x;
  }
  const mean = sum / n;
  return { mean, cv: Math.sqrt(squares / n - mean * mean) / mean, min };
}

describe("distributions", () => {
  it("draw with the mean and spread they promise", () => {
    const n = 400_000;
    const cases: [Distribution, number][] = [
      [exponential(3), 1],
      [uniform(10, 30), 10 / Math.sqrt(3) / 20],
      [lognormal(10, 1.5), 1.5],
    ];
    for (const [distribution, cv] of cases) {
      const seen = moments(distribution, n);
      assert.ok(Math.abs(seen.mean / distribution.mean - 1) < 0.01, `${distribution.kind} mean ${seen.mean}`);
      assert.ok(Math.abs(seen.cv / cv - 1) < 0.05, `${distribution.kind} cv ${seen.cv}`);
      assert.ok(seen.min >= 0);
    }
    assert.equal(constant(5).sample(new SeededRandom(1)), 5);
  });

  it("replay from the seed", () => {
    const a = new SeededRandom(3);
    const b = new SeededRandom(3);
    const d = lognormal(4, 0.5);
    assert.deepEqual(
      Array.from({ length: 5 }, () => d.sample(a)),
      Array.from({ length: 5 }, () => d.sample(b)),
    );
  });

  it("refuse a mean that is not positive", () => {
    assert.throws(() => exponential(0), /mean must be > 0/);
    assert.throws(() => uniform(5, 1), /max/);
  });
});
