import assert from "node:assert/strict";
import { test } from "node:test";
import { buildSpec } from "../../../test/support/build-spec.js";
import { Topology } from "../topology/topology.js";
import { durability } from "./durability.js";
import { scalability } from "./scalability.js";

test("scalability: headroom and autoscaling limits against load", () => {
  const spec = buildSpec({
    regions: { r1: ["a", "b"] },
    services: [
      {
        name: "web",
        zones: ["a", "b"],
        instances: 3,
        capacity: 100,
        load: 400,
        autoscale: { metric: "requests-per-second", target: 70, max: 3, min: null },
      },
      { name: "idle", zones: ["a"], instances: 1, capacity: 100, load: 0, autoscale: null },
      {
        name: "cpu",
        zones: ["a"],
        instances: 2,
        capacity: 100,
        load: 150,
        autoscale: { metric: "cpu", target: 0.6, max: 4, min: 1 },
      },
    ],
  });
  const [web, idle, cpu] = spec.services.map((s) => scalability(s));
  // 6 x 100 / 400 = 1.5; autoscale max 3 x 100 = 300 < 400: the autoscaler cannot cover the peak.
  assert.equal(web?.headroom, 1.5);
  assert.equal(web?.needed, 4);
  assert.deepEqual(web?.autoscale, {
    metric: "requests-per-second",
    target: 70,
    max: 3,
    maxCapacity: 300,
    headroomAtMax: 0.75,
    instancesAtPeak: Math.ceil(400 / 70),
    coversLoad: false,
  });
  assert.equal(idle?.headroom, null);
  assert.equal(idle?.autoscale, null);
  assert.equal(cpu?.autoscale?.instancesAtPeak, null);
  assert.equal(cpu?.autoscale?.coversLoad, true);
});

test("durability: what protects a store against each threat, best RPO first", () => {
  const spec = buildSpec({
    regions: { r1: ["a", "b"], r2: ["c"] },
    stores: [
      {
        name: "db",
        zone: "a",
        replica: { zone: "b", sync: false, lagMs: 60_000, failoverMs: 120_000 },
        backups: { intervalMs: 86_400_000, at: { kind: "same-region" }, restoreMs: 1_800_000, tested: null },
        deletion: { trashMs: 86_400_000, softMs: 86_400_000, restoreMs: 600_000 },
      },
    ],
  });
  const d = durability(new Topology(spec), spec.stores[0]!);
  const by = Object.fromEntries(d.threats.map((t) => [t.threat, [t.mechanism, t.rpo, t.rto, t.protected]]));
  assert.deepEqual(by, {
    deletion: ["lazy-deletion", 0, 600, true],
    "raw-deletion": ["backups", 86_400, 1800, true],
    crash: ["async-replica", 60, 120, true],
    "zone-outage": ["async-replica", 60, 120, true],
    // replica and backups both in r1
    "region-outage": [null, null, null, false],
  });
  assert.equal(d.backups?.at, "same-region");
});

test("durability: continuous replication gives every threat its replicas survive an RPO of its interval (seconds)", () => {
  const spec = buildSpec({
    regions: { r1: ["a", "b"], r2: ["c"] },
    stores: [
      {
        name: "notes",
        engine: "sqlite",
        zone: "a",
        replicate: { at: [{ kind: "same-zone" }, { kind: "multi-region" }], intervalMs: 1000, restoreMs: 120_000 },
      },
    ],
  });
  const d = durability(new Topology(spec), spec.stores[0]!);
  assert.deepEqual(d.replicate, { at: ["same-zone", "multi-region"], interval: 1, restore: 120 });
  for (const t of d.threats) assert.deepEqual([t.threat, t.mechanism, t.rpo, t.rto], [t.threat, "replication", 1, 120]);
});
