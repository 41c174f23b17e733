// A store's standby in another region (spec.md: `standby: { kind, region, provision }`)
// in the spof rule, the availability and the region-outage recovery.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildSpec, type StoreInput } from "../../test/support/build-spec.js";
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
