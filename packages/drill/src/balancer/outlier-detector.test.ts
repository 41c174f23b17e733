import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isNinesError, ManualClock } from "@nines/core";
import { OutlierDetector } from "./outlier-detector.js";

describe("OutlierDetector", () => {
  it("ejects after failureThreshold failures in a row; a success in between resets the run", async () => {
    const clock = new ManualClock(0);
    const outliers = new OutlierDetector({ failureThreshold: 3, baseEjectionMs: 1000, clock });
    outliers.recordFailure("a", 4);
    outliers.recordFailure("a", 4);
    outliers.recordSuccess("a");
    assert.equal(outliers.recordFailure("a", 4), false);
    outliers.recordFailure("a", 4);
    assert.equal(outliers.recordFailure("a", 4), true);
    assert.equal(outliers.isEjected("a"), true);
    assert.equal(outliers.ejectedUntil("a"), 1000);
    await clock.advance(1000);
    assert.equal(outliers.isEjected("a"), false);
  });

  it("ejects for longer each time a backend keeps failing, up to maxEjectionMs", async () => {
    const clock = new ManualClock(0);
    const outliers = new OutlierDetector({ failureThreshold: 1, baseEjectionMs: 1000, maxEjectionMs: 2500, clock });
    const lengths: number[] = [];
    for (let i = 0; i < 4; i++) {
      assert.equal(outliers.recordFailure("a", 2), true);
      const until = outliers.ejectedUntil("a") as number;
      lengths.push(until - clock.now());
      await clock.advanceTo(until);
    }
    assert.deepEqual(lengths, [1000, 2000, 2500, 2500]);
  });

  it("starts again from the base ejection after a quiet period", async () => {
    const clock = new ManualClock(0);
    const outliers = new OutlierDetector({ failureThreshold: 1, baseEjectionMs: 1000, maxEjectionMs: 3000, clock });
    outliers.recordFailure("a", 2);
    await clock.advance(1000);
    outliers.recordFailure("a", 2);
    assert.equal((outliers.ejectedUntil("a") as number) - clock.now(), 2000);
    await clock.advance(10_000);
    outliers.recordFailure("a", 2);
    assert.equal((outliers.ejectedUntil("a") as number) - clock.now(), 1000);
  });

  it("never ejects more than maxEjectedRatio of the backends", () => {
    const outliers = new OutlierDetector({ failureThreshold: 1, maxEjectedRatio: 0.5, clock: new ManualClock(0) });
    assert.equal(outliers.recordFailure("a", 4), true);
    assert.equal(outliers.recordFailure("b", 4), true);
    assert.equal(outliers.recordFailure("c", 4), false);
    assert.equal(outliers.ejectedCount(), 2);
  });

  it("rejects an invalid option by name", () => {
    assert.throws(
      () => new OutlierDetector({ maxEjectedRatio: 0 }),
      (e: unknown) => isNinesError(e, "NINES_OPTION_INVALID") && /maxEjectedRatio/.test(e.message),
    );
  });
});
