import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { detectRto, type RatioPoint } from "./detect-rto.js";
import { failoverTime } from "./failover-time.js";
import { RpoLedger } from "./rpo-ledger.js";
import { timeToReplace } from "./time-to-replace.js";

const series = (ratios: (number | null)[], startAt = 0): RatioPoint[] =>
  ratios.map((successRatio, i) => ({ at: startAt + i * 1000, successRatio }));

describe("detectRto", () => {
  it("measures from the fault to the first second of a full hold at the objective", () => {
    // Fault at 10.5 s; ratio falls, recovers at 14 s, dips at 16 s, holds from 17 s for 5 s.
    const ratios = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0.2, 0.1, 0.5, 0.98, 1, 1, 0.9, 1, 1, 1, 1, 1, 1];
    assert.equal(detectRto({ series: series(ratios), faultAt: 10_500, objective: 0.99, holdMs: 5000 }), 6500);
    // A 2 s hold accepts the first recovery.
    assert.equal(detectRto({ series: series(ratios), faultAt: 10_500, objective: 0.99, holdMs: 2000 }), 3500);
  });

  it("is 0 when the ratio never fell, and null when it never recovered or the hold is cut short", () => {
    assert.equal(detectRto({ series: series([1, 1, 1, 1, 1, 1]), faultAt: 2000, objective: 0.999, holdMs: 3000 }), 0);
    assert.equal(detectRto({ series: series([1, 1, 0, 0, 0, 0]), faultAt: 2000, objective: 0.99 }), null);
    assert.equal(detectRto({ series: series([1, 0, 1, 1]), faultAt: 1000, objective: 0.99, holdMs: 5000 }), null);
  });

  it("counts a second without traffic as not recovered", () => {
    assert.equal(detectRto({ series: series([0, null, 1, 1]), faultAt: 0, objective: 0.9, holdMs: 2000 }), 2000);
  });
});

describe("failoverTime", () => {
  it("is the end of the first write of a run of successes after the fault", () => {
    const writes = [
      { startAt: 900, endAt: 950, ok: true },
      { startAt: 1100, endAt: 1400, ok: false },
      { startAt: 1500, endAt: 3200, ok: true }, // held until the standby was promoted
      { startAt: 1600, endAt: 3210, ok: false },
      { startAt: 3300, endAt: 3320, ok: true },
      { startAt: 3400, endAt: 3420, ok: true },
      { startAt: 3500, endAt: 3520, ok: true },
    ];
    assert.equal(failoverTime({ faultAt: 1000, writes }), 2320);
    assert.equal(failoverTime({ faultAt: 1000, writes, successThreshold: 1 }), 2200);
  });

  it("is null when writes never come back", () => {
    assert.equal(failoverTime({ faultAt: 0, writes: [{ startAt: 10, endAt: 20, ok: false }] }), null);
  });
});

describe("RpoLedger", () => {
  it("counts acknowledged writes the store lost, and keeps unknown outcomes apart", () => {
    const ledger = new RpoLedger();
    for (let i = 0; i < 10; i++) ledger.acknowledge(`b${i}`, 1000 + i);
    ledger.ambiguous("x1");
    ledger.ambiguous("x2");
    ledger.ambiguous("b3"); // already acknowledged: stays acknowledged
    const result = ledger.check(["b0", "b1", "b2", "b3", "b4", "b5", "b6", "b9", "x2"]);
    assert.deepEqual(result, {
      acknowledged: 10,
      lostWrites: 2,
      lost: ["b7", "b8"],
      ambiguous: 2,
      ambiguousPresent: 1,
      lastLostAt: 1008,
    });
    assert.equal(ledger.check(ledger.acknowledgedIds()).lostWrites, 0);
  });
});

describe("timeToReplace", () => {
  it("pairs each loss of an instance with its next ready", () => {
    const events = [
      { type: "exit" as const, instance: "web-a-0", at: 1000, reason: "killed" as const },
      { type: "exit" as const, instance: "web-b-0", at: 1500, reason: "zone-lost" as const },
      { type: "ready" as const, instance: "web-a-0", at: 4200 },
      { type: "exit" as const, instance: "web-a-0", at: 9000, reason: "liveness" as const },
      { type: "exit" as const, instance: "web-a-1", at: 9500, reason: "stopped" as const },
    ];
    assert.deepEqual(timeToReplace(events), [
      { instance: "web-a-0", lostAt: 1000, readyAt: 4200, replaceMs: 3200, reason: "killed" },
      { instance: "web-b-0", lostAt: 1500, readyAt: null, replaceMs: null, reason: "zone-lost" },
      { instance: "web-a-0", lostAt: 9000, readyAt: null, replaceMs: null, reason: "liveness" },
    ]);
  });
});
