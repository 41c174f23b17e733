import assert from "node:assert/strict";
import { test } from "node:test";
import { buildSpec, type SpecInput } from "../../../test/support/build-spec.js";
import { analyze } from "../analyze.js";

function spofs(input: SpecInput) {
  return analyze(buildSpec(input), { asOf: "2026-11-29" })
    .findings.filter((f) => f.rule === "spof")
    .map((f) => ({ subject: f.subject, severity: f.severity, level: f.level, domains: f.domains }));
}

test("one instance: a lone instance, or one too few to lose any", () => {
  assert.deepEqual(
    spofs({
      regions: { r1: ["a", "b"] },
      services: [
        { name: "web", zones: ["a"], instances: 1, capacity: 100, load: 50, calls: [{ target: "api" }] },
        // k = 4 of 4: losing any instance is fatal
        { name: "api", zones: ["a", "b"], instances: 2, capacity: 100, load: 400 },
      ],
      journeys: [{ name: "j", entry: "web" }],
    }),
    [
      { subject: "api", severity: "error", level: "instance", domains: ["instance in a", "instance in b"] },
      { subject: "web", severity: "error", level: "instance", domains: ["instance in a"] },
    ],
  );
});

test("one zone: only when the platform declares more than one zone", () => {
  const service = { name: "web", zones: ["a"], instances: 2, capacity: 100, load: 50 };
  assert.deepEqual(spofs({ regions: { r1: ["a"] }, services: [service], journeys: [{ name: "j", entry: "web" }] }), []);
  assert.deepEqual(
    spofs({ regions: { r1: ["a", "b"] }, services: [service], journeys: [{ name: "j", entry: "web" }] }),
    [{ subject: "web", severity: "error", level: "zone", domains: ["a"] }],
  );
  // k = 3 with 2 per zone in 2 zones: either zone's loss leaves 2 < 3.
  assert.deepEqual(
    spofs({
      regions: { r1: ["a", "b"] },
      services: [{ name: "web", zones: ["a", "b"], instances: 2, capacity: 100, load: 300 }],
      journeys: [{ name: "j", entry: "web" }],
    }),
    [{ subject: "web", severity: "error", level: "zone", domains: ["a", "b"] }],
  );
});

test("one region is a warning, only with more than one region", () => {
  const service = { name: "web", zones: ["a", "b"], instances: 1, capacity: 100, load: 50 };
  assert.deepEqual(
    spofs({ regions: { r1: ["a", "b"] }, services: [service], journeys: [{ name: "j", entry: "web" }] }),
    [],
  );
  assert.deepEqual(
    spofs({ regions: { r1: ["a", "b"], r2: ["c"] }, services: [service], journeys: [{ name: "j", entry: "web" }] }),
    [{ subject: "web", severity: "warning", level: "region", domains: ["r1"] }],
  );
});

test("stores: one node without a replica; a replica in the same region makes the region one", () => {
  const input = (replicaZone: string | null): SpecInput => ({
    regions: { r1: ["a", "b"], r2: ["c"] },
    services: [{ name: "web", zones: ["a", "c"], instances: 1, capacity: 100, load: 50, calls: [{ target: "db" }] }],
    stores: [
      {
        name: "db",
        zone: "a",
        replica: replicaZone === null ? null : { zone: replicaZone, sync: true, lagMs: 0, failoverMs: 60_000 },
      },
    ],
    journeys: [{ name: "j", entry: "web" }],
  });
  assert.deepEqual(spofs(input(null)), [
    { subject: "db", severity: "error", level: "node", domains: ["primary node in a"] },
  ]);
  assert.deepEqual(spofs(input("b")), [{ subject: "db", severity: "warning", level: "region", domains: ["r1"] }]);
  assert.deepEqual(spofs(input("c")), []);
});

test("managed components are never a spof, except a regional placement", () => {
  const input = (location: string, engine = "firestore"): SpecInput => ({
    regions: { r1: ["a"], r2: ["b"] },
    edge: [{ name: "lb", location: "global" }],
    services: [{ name: "web", zones: ["a", "b"], instances: 1, capacity: 100, load: 50, calls: [{ target: "db" }] }],
    stores: [{ name: "db", engine, managed: true, sla: 0.9999, location }],
    journeys: [{ name: "j", via: "lb", entry: "web" }],
  });
  assert.deepEqual(spofs(input("multi-region")), []);
  assert.deepEqual(spofs(input("r1")), [{ subject: "db", severity: "warning", level: "region", domains: ["r1"] }]);
  // cloud-sql HA: primary and replica in one region.
  const ha: SpecInput = {
    regions: { r1: ["a", "b"], r2: ["c"] },
    services: [{ name: "web", zones: ["a", "c"], instances: 1, capacity: 100, load: 50, calls: [{ target: "db" }] }],
    stores: [
      {
        name: "db",
        engine: "cloud-sql",
        managed: true,
        sla: 0.9995,
        zone: "a",
        replica: { zone: "b", sync: true, lagMs: 0, failoverMs: 60_000 },
      },
    ],
    journeys: [{ name: "j", entry: "web" }],
  };
  assert.deepEqual(spofs(ha), [{ subject: "db", severity: "warning", level: "region", domains: ["r1"] }]);
});

test("only journey components, each once, at the smallest level; optional calls are not components", () => {
  const found = spofs({
    regions: { r1: ["a", "b"] },
    services: [
      {
        name: "web",
        zones: ["a", "b"],
        instances: 1,
        capacity: 100,
        load: 50,
        calls: [{ target: "solo" }, { target: "extra", optional: true }],
      },
      { name: "solo", zones: ["a"], instances: 1, capacity: 100, load: 50 },
      { name: "extra", zones: ["a"], instances: 1, capacity: 100, load: 50 },
      { name: "unused", zones: ["a"], instances: 1, capacity: 100, load: 50 },
    ],
    journeys: [
      { name: "j1", entry: "web" },
      { name: "j2", entry: "solo" },
    ],
  });
  assert.deepEqual(found, [{ subject: "solo", severity: "error", level: "instance", domains: ["instance in a"] }]);
});
