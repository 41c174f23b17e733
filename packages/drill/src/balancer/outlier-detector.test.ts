import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isNinesError, ManualClock, OPTION_INVALID } from "@nines/core";
import { OutlierDetector, type OutlierOptions, type OutlierPeer } from "./outlier-detector.js";

function peers(...ids: string[]): OutlierPeer[] {
  return ids.map((id) => ({ id, healthy: true }));
}

function detector(options: Omit<OutlierOptions, "clock"> = {}) {
  const clock = new ManualClock(0);
  return { clock, outliers: new OutlierDetector({ ...options, clock }) };
}

/** `n` answers from `id`, `failed` of them 5xx; returns the reasons of the ejections they caused. */
function answers(o: OutlierDetector, id: string, n: number, failed: number, group: OutlierPeer[]): string[] {
  const reasons: string[] = [];
  for (let i = 0; i < n; i++) {
    if (i < failed) {
      const reason = o.recordFailure(id, "answer", group);
      if (reason) reasons.push(reason);
    } else o.recordSuccess(id);
  }
  return reasons;
}

describe("OutlierDetector", () => {
  it("ejects after failureThreshold failures to reach it in a row; an answer in between ends the run", async () => {
    const { clock, outliers } = detector({ failureThreshold: 3, baseEjectionMs: 1000 });
    const group = peers("a", "b");
    outliers.recordFailure("a", "connect", group);
    outliers.recordFailure("a", "reset", group);
    outliers.recordRefusal("a");
    assert.equal(outliers.recordFailure("a", "timeout", group), null);
    outliers.recordFailure("a", "timeout", group);
    assert.equal(outliers.recordFailure("a", "connect", group), "consecutiveFailures");
    assert.equal(outliers.ejectionEndsAt("a"), 1000);
    await clock.advance(1000);
    assert.equal(outliers.isEjected("a"), false);
  });

  it("never ejects on 5xx answers in a row, nor on errors that are not about the connection", () => {
    const { outliers } = detector({ failureThreshold: 1 });
    const group = peers("a", "b");
    for (let i = 0; i < 100; i++) assert.equal(outliers.recordFailure("a", "answer", group), null);
    for (let i = 0; i < 100; i++) assert.equal(outliers.recordFailure("a", "other", group), null);
  });

  it("ejects an instance failing at least failureRateAbovePeers more than its peers together", () => {
    const { outliers } = detector({ minimumCalls: 20, maxEjectedRatio: 1 });
    const group = peers("a", "b", "c");
    answers(outliers, "b", 20, 2, group);
    answers(outliers, "c", 20, 2, group);
    // 0.55 - 0.1 is below 0.5: not an outlier.
    assert.deepEqual(answers(outliers, "a", 20, 11, group), []);
    assert.deepEqual(answers(outliers, "a", 20, 20, group), ["failureRate"]);
  });

  it("ejects none when every instance fails alike, whatever the rate", () => {
    for (const rate of [0.3, 0.7, 1]) {
      const { outliers } = detector({ minimumCalls: 10, maxEjectedRatio: 1 });
      const group = peers("a", "b", "c", "d");
      for (let round = 0; round < 10; round++) {
        for (const { id } of group) assert.deepEqual(answers(outliers, id, 10, rate * 10, group), [], `${rate}`);
      }
    }
  });

  it("needs minimumCalls from the instance and from its peers before comparing", () => {
    const { outliers } = detector({ minimumCalls: 10 });
    const group = peers("a", "b");
    answers(outliers, "b", 9, 0, group);
    assert.deepEqual(answers(outliers, "a", 30, 30, group), [], "the peers have too few requests");
    outliers.recordSuccess("b");
    assert.equal(outliers.recordFailure("a", "answer", group), "failureRate");
  });

  it("judges over windowMs only, and afresh after an ejection", async () => {
    const { clock, outliers } = detector({ minimumCalls: 10, windowMs: 10_000, baseEjectionMs: 1000 });
    const group = peers("a", "b");
    answers(outliers, "a", 9, 9, group);
    await clock.advance(10_000);
    answers(outliers, "b", 10, 0, group);
    assert.equal(outliers.recordFailure("a", "answer", group), null, "the 9 old failures left the window");
    assert.deepEqual(answers(outliers, "a", 9, 9, group), ["failureRate"]);
    await clock.advance(1000);
    assert.deepEqual(answers(outliers, "a", 9, 9, group), [], "back from ejection: 9 new requests are too few");
  });

  it("holds maxEjectedRatio, rounded down", () => {
    const { outliers } = detector({ failureThreshold: 1, maxEjectedRatio: 0.25 });
    const group = peers("a", "b", "c", "d", "e", "f", "g", "h");
    assert.equal(outliers.recordFailure("a", "connect", group), "consecutiveFailures");
    assert.equal(outliers.recordFailure("b", "connect", group), "consecutiveFailures");
    assert.equal(outliers.recordFailure("c", "connect", group), null);
    assert.equal(outliers.isEjected("c"), false);
  });

  it("where the cap rounds to none, ejects one only while every other instance is healthy", () => {
    const group = peers("a", "b", "c");
    const healthy = detector({ failureThreshold: 1 }).outliers;
    assert.equal(healthy.recordFailure("a", "connect", group), "consecutiveFailures");
    assert.equal(healthy.recordFailure("b", "connect", group), null, "a is out: the rest is not all healthy");

    const unchecked = detector({ failureThreshold: 1 }).outliers;
    const failingCheck = group.map((p) => (p.id === "c" ? { ...p, healthy: false } : p));
    assert.equal(unchecked.recordFailure("a", "connect", failingCheck), null, "c fails its checks");

    const failing = detector({ failureThreshold: 1 }).outliers;
    answers(failing, "c", 4, 2, group);
    assert.equal(failing.recordFailure("a", "connect", group), null, "c fails half of its requests");

    const alone = detector({ failureThreshold: 1, maxEjectedRatio: 1 }).outliers;
    assert.equal(alone.recordFailure("a", "connect", peers("a")), null, "a single instance is never ejected");
  });

  it("ejects for longer each time an instance keeps failing, up to maxEjectionMs, and from the base after a quiet time", async () => {
    const { clock, outliers } = detector({ failureThreshold: 1, baseEjectionMs: 1000, maxEjectionMs: 2500 });
    const group = peers("a", "b");
    const lengths: number[] = [];
    for (let i = 0; i < 4; i++) {
      outliers.recordFailure("a", "connect", group);
      const until = outliers.ejectionEndsAt("a") as number;
      lengths.push(until - clock.now());
      await clock.advanceTo(until);
    }
    assert.deepEqual(lengths, [1000, 2000, 2500, 2500]);
    await clock.advance(10_000);
    outliers.recordFailure("a", "connect", group);
    assert.equal((outliers.ejectionEndsAt("a") as number) - clock.now(), 1000);
  });

  it("forgets an instance that left: one added again under its id starts afresh", () => {
    const { outliers } = detector({ failureThreshold: 2 });
    const group = peers("a", "b");
    outliers.recordFailure("a", "connect", group);
    assert.equal(outliers.recordFailure("a", "connect", group), "consecutiveFailures");
    outliers.forget("a");
    assert.equal(outliers.isEjected("a"), false);
    assert.equal(outliers.recordFailure("a", "connect", group), null, "its run starts again from zero");
  });

  it("rejects an invalid or misspelt option by name", () => {
    for (const options of [{ maxEjectedRatio: 0 }, { failureRateAbovePeers: 1.5 }, { minimumCalls: 0.5 }]) {
      assert.throws(
        () => new OutlierDetector(options),
        (e: unknown) => isNinesError(e, OPTION_INVALID) && e.message.includes(Object.keys(options)[0] as string),
      );
    }
    assert.throws(
      () => new OutlierDetector({ minimumCall: 10 } as OutlierOptions),
      (e: unknown) => isNinesError(e, OPTION_INVALID) && /did you mean minimumCalls/.test(e.hint ?? ""),
    );
  });
});
