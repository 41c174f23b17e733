import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { admittedP99Ms } from "../src/drill/admitted-latency.js";
import type { DrillSystem } from "../src/drill/drill-system.js";
import { judge } from "../src/drill/judge.js";
import { measureScenario, type ScenarioRecording } from "../src/drill/measure-scenario.js";
import type { Prediction } from "../src/drill/predict.js";
import type { Scenario } from "../src/drill/scenario.js";
import { WriteLedger } from "../src/drill/write-ledger.js";
import { RequestLog } from "../src/load/request-log.js";
import type { SystemPlan } from "../src/up/system-plan.js";

// A synthetic zone loss: 20 requests a second for 30 s from t = 0; the
// fault from 10 s to 20 s. Search needs inventory, list does not. During
// the fault 8 of the 10 searches a second succeed (inventory sheds 20%),
// lists all succeed; from 20 s on everything succeeds again.
const T0 = 1_000_000;
const faultAt = T0 + 10_000;
const faultEndAt = T0 + 20_000;

function recording(): ScenarioRecording {
  const log = new RequestLog();
  for (let s = 0; s < 30; s++) {
    for (let i = 0; i < 20; i++) {
      const startAt = T0 + s * 1000 + i * 50;
      const search = i % 2 === 0;
      const inFault = startAt >= faultAt && startAt < faultEndAt;
      const shed = search && inFault && i % 10 === 4; // 2 of the 10 searches a second... (i = 4, 14)
      log.record({
        journey: search ? "search" : "list",
        step: search ? "search" : "list",
        startAt,
        endAt: startAt + (inFault && search ? 300 : 20),
        status: shed ? 503 : 200,
        error: null,
      });
    }
  }
  // The balancer of inventory: 10 requests a second before and after; 30 a second during the fault (retries).
  const samples = [];
  let requests = 0;
  for (let s = 0; s <= 30; s++) {
    samples.push({
      at: T0 + s * 1000,
      ready: { a: s >= 10 && s < 22 ? 0 : 2, b: 2 },
      requests: { inventory: requests },
    });
    requests += s >= 10 && s < 20 ? 30 : 10;
  }
  return {
    log,
    startAt: T0,
    faultAt,
    faultEndAt,
    endAt: T0 + 30_000,
    samples,
    events: [
      { type: "exit", instance: "inventory-a-0", at: faultAt + 5, reason: "zone-lost" },
      { type: "ready", instance: "inventory-a-0", at: faultEndAt + 1500 },
    ],
    failovers: [],
    marks: [
      { name: "degraded", at: faultAt + 100 },
      { name: "degraded", at: faultAt + 200 },
    ],
    deletion: null,
    restoredAt: null,
    admittedP99Ms: new Map([["inventory", 120]]),
  };
}

const plan = {
  name: "t",
  scale: 1,
  timeScale: 1,
  zones: [
    { zone: "a", region: "r" },
    { zone: "b", region: "r" },
  ],
  services: [
    { name: "inventory", zones: ["a", "b"], instancesPerZone: 1, capacity: 5, load: 10 },
    { name: "web", zones: ["a", "b"], instancesPerZone: 1, capacity: 100, load: 20 },
  ],
  stores: [],
  entries: [],
} as unknown as SystemPlan;

const prediction: Prediction = {
  basis: "test",
  availability: 0,
  successRatio: 0.5,
  overload: [{ service: "inventory", ratio: 2 }],
  degraded: [],
  rpoMs: 0,
  rtoMs: 12_000,
  mechanism: "restart",
  amplification: null,
};

const scenario: Scenario = {
  name: "zone-loss-a",
  kind: "zone-loss",
  target: "a",
  title: "lose zone a",
  timeline: { warmupMs: 10_000, faultMs: 10_000, observeMs: 10_000 },
  disaster: null,
};

const steps: Record<string, string[]> = { search: ["web", "inventory"], list: ["web"] };
const needs = (step: string, service: string) => (steps[step] ?? []).includes(service);

describe("measureScenario on a synthetic timeline with known answers", () => {
  const m = measureScenario(scenario, prediction, plan, recording(), { objective: 0.999, needs, writeSteps: [] });

  it("success ratio and p99 over the run and during the fault, per second, with instances ready", () => {
    assert.equal(m.series.length, 30);
    assert.equal(m.successRatio, (600 - 20) / 600);
    assert.equal(m.measured.fault.successRatio, 180 / 200);
    assert.equal(m.measured.fault.p99Ms, 300);
    assert.equal(m.series[12]?.successRatio, 18 / 20);
    assert.deepEqual(m.series[12]?.ready, { a: 0, b: 2 });
    assert.deepEqual(m.series[25]?.ready, { a: 2, b: 2 });
    assert.deepEqual(
      m.measured.services.map((s) => [s.service, s.offered, s.successRatio]),
      [
        ["inventory", 100, 0.8],
        ["web", 200, 0.9],
      ],
    );
  });

  it("RTO from the fault and recovery from its end (5 s hold at the objective)", () => {
    assert.equal(m.rtoMs, 10_000, "the first clean second is the fault's end");
    assert.equal(m.measured.recoveryAfterEndMs, 0);
  });

  it("goodput of the overloaded service against its remaining capacity, after 2 s of settling", () => {
    // 8 searches a second succeed; remaining capacity: zone b's one instance of 5 req/s.
    assert.deepEqual(m.measured.goodput, [
      { service: "inventory", goodput: 8, remainingCapacity: 5, ratio: 1.6, p99Ms: 300, admittedP99Ms: 120 },
    ]);
  });

  it("time to replace, degraded answers", () => {
    assert.equal(m.measured.timeToReplaceMs, 11_495);
    assert.equal(m.measured.degradedRatio, 2 / 180);
  });

  it("amplification: attempts at the target per request that needed it, over the fault", () => {
    const storm = { ...scenario, kind: "retry-storm" as const, target: "inventory" };
    const r = measureScenario(storm, prediction, plan, recording(), { objective: 0.999, needs, writeSteps: [] });
    assert.equal(r.measured.amplification, 300 / 100);
  });
});

describe("admittedP99Ms", () => {
  const histogram = (key: string, counts: number[]) => ({
    key,
    buckets: new Map([0.1, 0.25, 0.5, 1, Number.POSITIVE_INFINITY].map((le, i) => [le, counts[i] as number])),
  });

  it("is the p99 of what the instances admitted between two readings, interpolated in its bucket", () => {
    const before = [histogram("inventory-a-0@1", [10, 10, 10, 10, 10])];
    const after = [
      histogram("inventory-a-0@1", [60, 150, 209, 210, 210]),
      // Restarted between the readings: a new histogram, left out.
      histogram("inventory-a-1@7", [0, 0, 0, 900, 900]),
    ];
    // 200 requests: the 198th falls in (0.25, 0.5], 58 of the 59 it holds in: 250 + 250 x 58 / 59 ms.
    assert.equal(admittedP99Ms(before, after), Math.round(250 + (250 * 58) / 59));
    assert.equal(admittedP99Ms(before, before), null, "nothing admitted");
  });
});

describe("judge", () => {
  const m = measureScenario(scenario, prediction, plan, recording(), { objective: 0.999, needs, writeSteps: [] });
  const headline = { successRatio: m.successRatio, lostWrites: 0, firstLostAt: null, rtoMs: m.rtoMs, faultAt };

  it("misses the journeys' objective, better than the model that counts the overloaded service down", () => {
    const j = judge(scenario, headline, m.measured, prediction, {
      successRatio: 0.999,
      rpoMs: 0,
      rtoMs: null,
      source: "journeys",
    });
    assert.equal(j.verdict, "missed");
    assert.equal(j.comparison, "better");
    assert.match(j.reason, /success ratio 96\.7% below the objective 99\.900%/);
    assert.match(j.reason, /90\.0% served during the fault, the plan expected 50\.0%/);
  });

  it("meets RPO and RTO objectives; a lost write or a late recovery misses them", () => {
    const objective = { successRatio: null, rpoMs: 0, rtoMs: 15_000, source: "disaster" };
    assert.equal(judge(scenario, headline, m.measured, prediction, objective).verdict, "met");
    const lost = judge(
      scenario,
      { ...headline, lostWrites: 2, firstLostAt: faultAt - 10 },
      m.measured,
      prediction,
      objective,
    );
    assert.equal(lost.verdict, "missed");
    assert.equal(lost.comparison, "worse");
    assert.match(lost.reason, /2 acknowledged write\(s\) lost/);
    const withinRpo = { ...objective, rpoMs: 60_000 };
    assert.equal(
      judge(scenario, { ...headline, lostWrites: 2, firstLostAt: faultAt - 10 }, m.measured, prediction, withinRpo)
        .verdict,
      "met",
    );
    const late = judge(scenario, { ...headline, rtoMs: null }, m.measured, prediction, objective);
    assert.match(late.reason, /did not recover within the run/);
  });

  it("as predicted when the fault-time success is within 3 points of the prediction", () => {
    const close = { ...prediction, successRatio: 0.88 };
    const j = judge(scenario, headline, m.measured, close, {
      successRatio: null,
      rpoMs: 0,
      rtoMs: null,
      source: "journeys",
    });
    assert.deepEqual([j.verdict, j.comparison], ["met", "as-predicted"]);
    assert.match(j.reason, /sheds as predicted: overload inventory 2/);
  });
});

const pgUrl = process.env["NINES_PG_URL"];

describe("WriteLedger against a real PostgreSQL table", { skip: pgUrl ? false : "NINES_PG_URL is not set" }, () => {
  const table = `drill_ledger_${process.pid}`;
  const client = new pg.Client({ connectionString: pgUrl });
  const system = {
    database: () => [{ role: "primary", zone: "a", up: true, url: pgUrl, directUrl: pgUrl }],
  } as unknown as DrillSystem;

  before(async () => {
    await client.connect();
    await client.query(`create table ${table} (request_id text primary key)`);
  });
  after(async () => {
    await client.query(`drop table if exists ${table}`);
    await client.end();
  });

  it("counts acknowledged writes the store does not hold, once, with the earliest acknowledgement", async () => {
    const ledger = new WriteLedger({ store: "orders-db", table, column: "request_id", steps: ["book"] });
    for (const [i, id] of ["w1", "w2", "w3", "w4"].entries()) ledger.acknowledge(id, 1000 + i);
    ledger.ambiguous("w5");
    await client.query(`insert into ${table} values ('w1'), ('w3'), ('w5')`);
    assert.deepEqual(await ledger.check(system), {
      acknowledged: 4,
      ambiguous: 1,
      lostWrites: 2,
      firstLostAt: 1001,
      checked: true,
    });
    assert.equal((await ledger.check(system)).lostWrites, 0, "already counted in the scenario that lost them");
    const down = { database: () => [{ role: "primary", up: false }] } as unknown as DrillSystem;
    assert.equal((await ledger.check(down)).checked, false);
  });
});
