import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LatencyHistogram } from "./latency-histogram.js";

describe("LatencyHistogram", () => {
  it("gives percentiles within 0.6% of the nearest-rank value", () => {
    const histogram = new LatencyHistogram();
    const values: number[] = [];
    for (let i = 1; i <= 10_000; i++) {
      const value = 0.5 + ((i * 7919) % 10_000) / 10;
      values.push(value);
      histogram.add(value);
    }
    values.sort((a, b) => a - b);
    for (const p of [1, 50, 90, 99, 99.9]) {
      const exact = values[Math.ceil((p / 100) * values.length) - 1] as number;
      const estimate = histogram.percentile(p) as number;
      assert.ok(Math.abs(estimate / exact - 1) < 0.006, `p${p}: ${estimate} vs ${exact}`);
    }
    assert.equal(histogram.count, 10_000);
    assert.equal(new LatencyHistogram().percentile(50), null);
  });
});
