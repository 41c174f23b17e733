// The rules `nines up`'s balancer (OutlierDetector of @nines/drill) and the simulator's balancer both use.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isNinesError, OPTION_INVALID } from "@nines/core";
import { OutlierRecord } from "./outlier-record.js";
import { type OutlierOptions, type OutlierOutcome, type OutlierPeer, OutlierRules } from "./outlier-rules.js";

interface Peer extends OutlierPeer {
  healthy: boolean;
  /** When its ejection ends, or null. */
  until: number | null;
}

/** A service's instances under `options`' rules, at a time the test moves. */
function service(ids: string[], options: OutlierOptions = {}) {
  const rules = new OutlierRules(options);
  const peers = new Map<string, Peer>(
    ids.map((id) => [id, { healthy: true, record: new OutlierRecord(rules.windowMs), until: null }]),
  );
  const all = [...peers.values()];
  let now = 0;
  const peer = (id: string) => peers.get(id) as Peer;
  /** Records one outcome; true when it ejected the instance. */
  const record = (id: string, outcome: OutlierOutcome): boolean => {
    const p = peer(id);
    if (rules.record(p, outcome, all, now) === null) return false;
    p.until = p.record.ejectionEndsAt;
    assert.equal(p.until, now + rules.ejectionMs(p.record));
    return true;
  };
  return {
    rules,
    peer,
    record,
    /** `n` requests to `id`, the first `failed` of them 5xx; how many ejected it. */
    answers(id: string, n: number, failed: number): number {
      let ejections = 0;
      for (let i = 0; i < n; i++) if (record(id, i < failed ? "answer" : "success")) ejections++;
      return ejections;
    },
    /** Moves time on. */
    advance(ms: number): void {
      now += ms;
      for (const p of all) if (p.until !== null && p.until <= now) p.until = null;
    },
    get now() {
      return now;
    },
  };
}

describe("OutlierRules", () => {
  it("ejects after failureThreshold failures to reach it in a row; an answer in between ends the run", () => {
    const s = service(["a", "b"], { failureThreshold: 3, baseEjectionMs: 1000 });
    s.record("a", "unreachable");
    s.record("a", "unreachable");
    s.record("a", "refusal");
    assert.equal(s.record("a", "unreachable"), false);
    s.record("a", "unreachable");
    assert.equal(s.record("a", "unreachable"), true);
    assert.equal(s.peer("a").until, 1000);
    assert.equal(s.peer("a").record.isEjected(999), true);
    s.advance(1000);
    assert.equal(s.peer("a").record.isEjected(s.now), false);
  });

  it("counts another failure in the rate only: it neither adds to nor ends a run of failures to reach it", () => {
    const s = service(["a", "b"], { failureThreshold: 2 });
    s.record("a", "unreachable");
    assert.equal(s.record("a", "other"), false);
    assert.equal(s.peer("a").record.unreachable, 1);
    assert.equal(s.record("a", "unreachable"), true);
  });

  it("never ejects on 5xx answers in a row", () => {
    const s = service(["a", "b"], { failureThreshold: 1 });
    for (let i = 0; i < 100; i++) assert.equal(s.record("a", "answer"), false);
  });

  it("ejects an instance failing at least failureRateAbovePeers more than its peers together", () => {
    const s = service(["a", "b", "c"], { minimumCalls: 20, maxEjectedRatio: 1 });
    s.answers("b", 20, 2);
    s.answers("c", 20, 2);
    // 0.55 - 0.1 is below 0.5: not an outlier.
    assert.equal(s.answers("a", 20, 11), 0);
    assert.equal(s.answers("a", 20, 20), 1);
  });

  it("ejects none when every instance fails alike, whatever the rate", () => {
    for (const rate of [0.3, 0.7, 1]) {
      const ids = ["a", "b", "c", "d"];
      const s = service(ids, { minimumCalls: 10, maxEjectedRatio: 1 });
      for (let round = 0; round < 10; round++) {
        for (const id of ids) assert.equal(s.answers(id, 10, rate * 10), 0, `${rate}`);
      }
    }
  });

  it("never counts a guard's refusal, as a failure or as a success", () => {
    const s = service(["a", "b"], { minimumCalls: 10, maxEjectedRatio: 1 });
    s.answers("b", 10, 0);
    for (let i = 0; i < 100; i++) s.record("a", "refusal");
    assert.equal(s.peer("a").record.calls, 0);
    // Nine failures and a refusal: nine requests, too few to compare; the tenth failure is the tenth request.
    assert.equal(s.answers("a", 9, 9), 0);
    assert.equal(s.record("a", "refusal"), false);
    assert.equal(s.record("a", "answer"), true);
  });

  it("needs minimumCalls from the instance and from its peers before comparing", () => {
    const s = service(["a", "b"], { minimumCalls: 10 });
    s.answers("b", 9, 0);
    assert.equal(s.answers("a", 30, 30), 0, "the peers have too few requests");
    s.record("b", "success");
    assert.equal(s.record("a", "answer"), true);
  });

  it("judges over windowMs only, and afresh after an ejection", () => {
    const s = service(["a", "b"], { minimumCalls: 10, windowMs: 10_000, baseEjectionMs: 1000 });
    s.answers("a", 9, 9);
    s.advance(10_000);
    s.answers("b", 10, 0);
    assert.equal(s.record("a", "answer"), false, "the 9 old failures left the window");
    assert.equal(s.answers("a", 9, 9), 1);
    s.advance(1000);
    assert.equal(s.answers("a", 9, 9), 0, "back from ejection: 9 new requests are too few");
  });

  it("holds maxEjectedRatio, rounded down", () => {
    const s = service(["a", "b", "c", "d", "e", "f", "g", "h"], { failureThreshold: 1, maxEjectedRatio: 0.25 });
    assert.equal(s.record("a", "unreachable"), true);
    assert.equal(s.record("b", "unreachable"), true);
    assert.equal(s.record("c", "unreachable"), false);
    assert.equal(s.peer("c").record.isEjected(s.now), false);
  });

  it("where the cap rounds to none, ejects one only while every other instance is sound", () => {
    const healthy = service(["a", "b", "c"], { failureThreshold: 1 });
    assert.equal(healthy.record("a", "unreachable"), true);
    assert.equal(healthy.record("b", "unreachable"), false, "a is out: the rest is not all sound");

    const unchecked = service(["a", "b", "c"], { failureThreshold: 1 });
    unchecked.peer("c").healthy = false;
    assert.equal(unchecked.record("a", "unreachable"), false, "c fails its checks");

    const failing = service(["a", "b", "c"], { failureThreshold: 1 });
    failing.answers("c", 4, 2);
    assert.equal(failing.record("a", "unreachable"), false, "c fails half of its requests");

    const alone = service(["a"], { failureThreshold: 1, maxEjectedRatio: 1 });
    assert.equal(alone.record("a", "unreachable"), false, "a single instance is never ejected");
  });

  it("ejects for longer each time an instance keeps failing, up to maxEjectionMs, and from the base after a quiet time", () => {
    const s = service(["a", "b"], { failureThreshold: 1, baseEjectionMs: 1000, maxEjectionMs: 2500 });
    const lengths: number[] = [];
    for (let i = 0; i < 4; i++) {
      s.record("a", "unreachable");
      const until = s.peer("a").until as number;
      lengths.push(until - s.now);
      s.advance(until - s.now);
    }
    assert.deepEqual(lengths, [1000, 2000, 2500, 2500]);
    s.advance(10_000);
    s.record("a", "unreachable");
    assert.equal((s.peer("a").until as number) - s.now, 1000);
  });

  it("rejects an invalid or misspelt option by name", () => {
    for (const options of [{ maxEjectedRatio: 0 }, { failureRateAbovePeers: 1.5 }, { minimumCalls: 0.5 }]) {
      assert.throws(
        () => new OutlierRules(options),
        (e: unknown) => isNinesError(e, OPTION_INVALID) && e.message.includes(Object.keys(options)[0] as string),
      );
    }
    assert.throws(
      () => new OutlierRules({ minimumCall: 10 } as OutlierOptions),
      (e: unknown) => isNinesError(e, OPTION_INVALID) && /did you mean minimumCalls/.test(e.hint ?? ""),
    );
  });
});

describe("OutlierRecord", () => {
  it("counts over the last windowMs, in buckets of a tenth, at any gap between requests", () => {
    const record = new OutlierRecord(1000);
    record.count(0, true);
    record.count(50, false);
    record.count(950, true);
    record.advance(999);
    assert.deepEqual([record.calls, record.failures], [3, 2]);
    record.advance(1000);
    assert.deepEqual([record.calls, record.failures], [1, 1], "the bucket of 0-99 ms left the window");
    record.count(1500, false);
    assert.deepEqual([record.calls, record.failures], [2, 1]);
    record.advance(50_000);
    assert.deepEqual([record.calls, record.failures], [0, 0]);
  });
});
