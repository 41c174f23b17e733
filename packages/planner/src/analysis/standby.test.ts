// A standby in another region (spec.md: `standby: { kind, region, provision }`), of a store
// or of a service, in the spof rule, the availability and the region-outage recovery.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildSpec, type ServiceInput, type StoreInput } from "../../test/support/build-spec.js";
import type { Standby } from "../model.js";
import { analyze } from "./analyze.js";

const R = 0.9999;
const Z = 0.999;
const I = 0.995;
const H = 3_600_000;
const D = 86_400_000;
const BACKUPS = { intervalMs: D, at: { kind: "multi-region" as const }, restoreMs: 1_800_000, tested: "2026-11-01" };
const hot: Standby = { kind: "hot", region: "r2", provisionMs: 0 };
const cold: Standby = { kind: "cold", region: "r2", provisionMs: 600_000 };

function plan(store: Omit<StoreInput, "name">, rtoMs = H) {
  const spec = buildSpec({
    regions: { r1: ["a", "b"], r2: ["c", "d"] },
    services: [
      { name: "web", zones: ["a", "b", "c", "d"], instances: 1, capacity: 100, load: 100, calls: [{ target: "db" }] },
    ],
    stores: [{ name: "db", zone: "a", replica: { zone: "b", sync: true, lagMs: 0, failoverMs: 60_000 }, ...store }],
    journeys: [{ name: "j", entry: "web" }],
    disasters: [{ subject: "db", kind: "region-outage", rpoMs: D, rtoMs }],
  });
  const result = analyze(spec, { asOf: "2026-11-29" });
  return {
    result,
    spof: result.findings.find((f) => f.rule === "spof" && f.subject === "db"),
    db: result.components.find((c) => c.name === "db")!.availability,
  };
}

describe("a store's hot standby in another region", () => {
  it("is no single point of failure at region level when it has data to serve", () => {
    assert.equal(plan({ backups: BACKUPS, standby: hot }).spof, undefined);
    // Before the standby, the region is one: the finding asks for what the store now has.
    const without = plan({ backups: BACKUPS }).spof;
    assert.deepEqual([without?.severity, without?.level, without?.domains], ["warning", "region", ["r1"]]);
  });

  it("counts as a node in the first free zone of its region in the availability", () => {
    // Nodes in a, b (r1) and c (r2): down only when every one is.
    const r1Down = 1 - R + R * (1 - Z * I) ** 2;
    const r2Down = 1 - R * Z * I;
    const expected = 1 - r1Down * r2Down;
    assert.ok(Math.abs(plan({ backups: BACKUPS, standby: hot }).db - expected) < 1e-15);
    assert.ok(plan({ backups: BACKUPS, standby: hot }).db > plan({ backups: BACKUPS }).db);
  });

  it("keeps nothing up without a copy that survives its region: the spof says so", () => {
    const local = { ...BACKUPS, at: { kind: "same-region" as const } };
    const { spof, db } = plan({ backups: local, standby: hot });
    assert.equal(db, plan({ backups: local }).db);
    assert.match(String(spof?.message), /its hot standby in r2 has no data to serve after this region is lost/);
  });

  it("counts for a managed regional store too: up when the store or the standby is", () => {
    const regional = { zone: null, replica: null, managed: true, sla: 0.9999, engine: "spanner", location: "r1" };
    const { spof, db } = plan({ ...regional, backups: BACKUPS, standby: hot });
    assert.equal(spof, undefined);
    const expected = 1 - (1 - 0.9999) * (1 - R * Z * I);
    assert.ok(Math.abs(db - expected) < 1e-15, `${db} vs ${expected}`);
  });
});

describe("a store's cold standby", () => {
  it("does not count in availability and leaves the region a spof, asking to make it hot", () => {
    const { spof, db } = plan({ backups: BACKUPS, standby: cold });
    assert.equal(db, plan({ backups: BACKUPS }).db);
    assert.equal(spof?.level, "region");
    assert.match(
      String(spof?.message),
      /its standby in r2 is cold: it must be provisioned and restored first; make it kind: hot/,
    );
  });

  it("adds its provisioning time to a restore after a region loss, and the finding says where the restore runs", () => {
    const { result } = plan(
      { backups: BACKUPS, log: { intervalMs: 300_000, at: { kind: "multi-region" } }, standby: cold },
      1_800_000,
    );
    const d = result.disasters[0]!;
    assert.deepEqual([d.mechanism, d.rpo.achieved, d.rto.achieved, d.met], ["log-and-backups", 300, 2400, false]);
    const rto = result.findings.find((f) => f.rule === "dr-rto")!;
    assert.match(
      rto.message,
      /recovery by log-and-backups onto the cold standby in r2 \(provisioned first: 10m\) takes 40m/,
    );
    assert.match(rto.message, /make the standby in r2 hot \(kind: hot\) so that it need not be provisioned first/);
  });
});

function planService(regions: Record<string, string[]>, web: Omit<ServiceInput, "name">, rtoMs = 0) {
  const spec = buildSpec({
    regions,
    services: [{ name: "web", ...web }],
    journeys: [{ name: "j", entry: "web" }],
    disasters: [{ subject: "web", kind: "region-outage", rpoMs: 0, rtoMs }],
  });
  const result = analyze(spec, { asOf: "2026-11-29" });
  return {
    result,
    spof: result.findings.find((f) => f.rule === "spof" && f.subject === "web"),
    web: result.components.find((c) => c.name === "web")!.availability,
    disaster: result.disasters[0]!,
  };
}

describe("a service's hot standby in another region", () => {
  const regions = { r1: ["a", "b"], r2: ["c", "d"] };
  const web = { zones: ["a", "b"], instances: 1, capacity: 100, load: 100 };

  it("is no single point of failure at region level: it runs a copy of the deployment there", () => {
    const without = planService(regions, web).spof;
    assert.deepEqual([without?.severity, without?.level, without?.domains], ["warning", "region", ["r1"]]);
    assert.match(String(without?.message), /or keep a hot standby there \(standby: \{ kind: hot, region: \.\.\. \}\)/);
    assert.equal(planService(regions, { ...web, standby: hot }).spof, undefined);
  });

  it("counts as `instances` in as many of its region's zones as the service is written in", () => {
    // One instance in each of a, b (r1) and c, d (r2): up while one is.
    const r1Down = 1 - R + R * (1 - Z * I) ** 2;
    const r2Down = r1Down;
    const expected = 1 - r1Down * r2Down;
    const withStandby = planService(regions, { ...web, standby: hot }).web;
    assert.ok(Math.abs(withStandby - expected) < 1e-15, `${withStandby} vs ${expected}`);
    assert.ok(withStandby > planService(regions, web).web);
    // The journey, made of web alone, has the same figure.
    assert.ok(
      Math.abs(planService(regions, { ...web, standby: hot }).result.journeys[0]!.availability - expected) < 1e-12,
    );
  });

  it("leaves the region a spof when it is cold, or too small to carry the load, and the DR row agrees", () => {
    const coldOne = planService(regions, { ...web, standby: cold });
    assert.equal(coldOne.web, planService(regions, web).web);
    assert.equal(coldOne.spof?.level, "region");
    assert.match(String(coldOne.spof?.message), /its standby in r2 is cold: .*make it kind: hot/);

    // Three zones written, one in the standby's region: its copy there has one instance, and k = 2.
    const small = planService(
      { r1: ["a", "b", "c"], r2: ["d"] },
      { zones: ["a", "b", "c"], instances: 1, capacity: 100, load: 200, standby: hot },
    );
    assert.deepEqual([small.spof?.level, small.spof?.domains], ["region", ["r1"]]);
    assert.match(String(small.spof?.message), /its hot standby in r2 runs 1 instance, fewer than the 2 it needs/);
    assert.deepEqual([small.disaster.mechanism, small.disaster.rto.achieved], ["standby", 10]);
    const enough = planService(regions, { ...web, standby: hot });
    assert.deepEqual(
      [enough.disaster.mechanism, enough.disaster.rto.achieved, enough.disaster.met],
      ["standby", 0, true],
    );
  });
});
