import assert from "node:assert/strict";
import { test } from "node:test";
import type { DisasterKind } from "../../model.js";
import { buildSpec, type DisasterInput, type ServiceInput, type StoreInput } from "../testing/build-spec.js";
import { Topology } from "../topology/topology.js";
import { analyzeDisasters } from "./disasters.js";

const H = 3600;
const D = 86_400;

function run(store: Omit<StoreInput, "name">, disaster: Omit<DisasterInput, "subject">) {
  const spec = buildSpec({
    regions: { r1: ["a", "b"], r2: ["c"] },
    stores: [{ name: "db", zone: "a", ...store }],
    disasters: [{ subject: "db", ...disaster }],
  });
  const { disasters, findings } = analyzeDisasters(new Topology(spec));
  const d = disasters[0]!;
  return {
    mechanism: d.mechanism,
    rpo: d.rpo.achieved,
    rto: d.rto.achieved,
    met: d.met,
    findings: findings.map((f) => `${f.rule}:${f.severity}`),
    scenario: findings[0]?.scenario,
  };
}

const everything: Omit<StoreInput, "name"> = {
  deletion: { trash: 30 * D, soft: 30 * D, restore: 900 },
  log: { every: 300, at: { kind: "multi-region" } },
  backups: { every: D, at: { kind: "multi-region" }, restore: 1800, tested: "2026-11-01" },
  rebuild: 12 * H,
  replica: { zone: "b", sync: true, lag: 0, failover: 60 },
};

test("deletion: lazy deletion first, then log + backups, backups, rebuild; a replica never recovers it", () => {
  assert.deepEqual(run(everything, { kind: "deletion", rpo: 0, rto: H }), {
    mechanism: "lazy-deletion",
    rpo: 0,
    rto: 900,
    met: true,
    findings: [],
    scenario: undefined,
  });
  // via database: lazy deletion does not help; the log (RPO 5m) meets rpo 1h.
  assert.equal(run(everything, { kind: "deletion", via: "database", rpo: H, rto: H }).mechanism, "log-and-backups");
  // rpo 0 via database: only rebuild (RPO 0, RTO 12h) meets with a 24h RTO...
  assert.equal(run(everything, { kind: "deletion", via: "database", rpo: 0, rto: D }).mechanism, "rebuild");
  // ...and with a 1h RTO nothing meets: the first that applies, missed on RPO only.
  const missed = run(everything, { kind: "deletion", via: "database", rpo: 0, rto: H });
  assert.equal(missed.mechanism, "log-and-backups");
  assert.equal(missed.met, false);
  assert.deepEqual(missed.findings, ["dr-rpo:error"]);
  // Only a replica: a deletion is unrecoverable.
  const replicaOnly = run({ replica: everything.replica! }, { kind: "deletion", rpo: H, rto: H });
  assert.equal(replicaOnly.mechanism, null);
  assert.deepEqual(replicaOnly.findings, ["dr-unrecoverable:error"]);
});

test("first that applies when none meets: both dr-rpo and dr-rto, warning unless high priority", () => {
  const r = run({ backups: everything.backups! }, { kind: "deletion", rpo: H, rto: 600, priority: "medium" });
  assert.deepEqual([r.mechanism, r.rpo, r.rto, r.met], ["backups", D, 1800, false]);
  assert.deepEqual(r.findings, ["dr-rpo:warning", "dr-rto:warning"]);
  assert.equal(r.scenario, "db deletion");
  // equality meets
  assert.equal(run({ backups: everything.backups! }, { kind: "deletion", rpo: D, rto: 1800 }).met, true);
});

test("a log without backups is no mechanism", () => {
  const r = run({ log: everything.log! }, { kind: "crash", rpo: H, rto: H });
  assert.equal(r.mechanism, null);
  assert.deepEqual(r.findings, ["dr-unrecoverable:error"]);
});

test("crash: managed catalog engine, then replica (sync or async), then copies", () => {
  const managed = { zone: null, managed: true, sla: 0.99999, engine: "firestore", location: "multi-region" };
  assert.deepEqual(run(managed, { kind: "crash", rpo: 0, rto: 0 }).mechanism, "managed");
  assert.equal(run(everything, { kind: "crash", rpo: 0, rto: 300 }).mechanism, "sync-replica");
  const async = run(
    { replica: { zone: "b", sync: false, lag: 300, failover: 120 } },
    { kind: "crash", rpo: 600, rto: 300 },
  );
  assert.deepEqual([async.mechanism, async.rpo, async.rto], ["async-replica", 300, 120]);
  // cloud-sql HA recovers through its replica, not as "managed".
  const cloudSql = {
    engine: "cloud-sql",
    managed: true,
    sla: 0.9995,
    replica: { zone: "b", sync: true, lag: 0, failover: 60 },
  };
  assert.equal(run(cloudSql, { kind: "crash", rpo: 0, rto: 300 }).mechanism, "sync-replica");
  // Backups kept in the same zone survive a crash but not a zone outage.
  const local = { backups: { every: D, at: { kind: "same-zone" as const }, restore: 1800, tested: null } };
  assert.equal(run(local, { kind: "crash", rpo: D, rto: H }).mechanism, "backups");
  assert.equal(run(local, { kind: "zone-outage", rpo: D, rto: H }).mechanism, null);
});

test("region outage: spread managed engines, replica in another region, copies outside the region", () => {
  const managed = (location: string) => ({ zone: null, managed: true, sla: 0.9999, engine: "spanner", location });
  assert.equal(run(managed("multi-region"), { kind: "region-outage", rpo: 0, rto: 0 }).mechanism, "managed");
  assert.equal(run(managed("r1"), { kind: "region-outage", rpo: 0, rto: 0 }).mechanism, null);
  // A replica in the same region does not survive; one in r2 does.
  assert.equal(run(everything, { kind: "region-outage", rpo: 0, rto: 300 }).mechanism, "log-and-backups");
  const geo = { replica: { zone: "c", sync: false, lag: 30, failover: 300 } };
  assert.deepEqual(run(geo, { kind: "region-outage", rpo: 60, rto: 600 }).mechanism, "async-replica");
  // Backups named after the store's own region do not survive.
  const own = { backups: { every: D, at: { kind: "region" as const, region: "r1" }, restore: 1800, tested: null } };
  const lost = run(own, { kind: "region-outage", rpo: D, rto: D });
  assert.equal(lost.mechanism, null);
  assert.deepEqual(lost.findings, ["dr-unrecoverable:error"]);
  // A cold standby adds its provisioning time to the restore; a hot one nothing.
  const backups = { backups: { every: D, at: { kind: "other-region" as const }, restore: 1800, tested: null } };
  const cold = run(
    { ...backups, standby: { kind: "cold", region: "r2", provision: 600 } },
    { kind: "region-outage", rpo: D, rto: D },
  );
  assert.deepEqual([cold.mechanism, cold.rto], ["backups", 2400]);
  const hot = run(
    { ...backups, standby: { kind: "hot", region: "r2", provision: 0 } },
    { kind: "region-outage", rpo: D, rto: D },
  );
  assert.equal(hot.rto, 1800);
});

function service(s: Omit<ServiceInput, "name" | "zones"> & { zones?: string[] }, kind: DisasterKind, rto = 0) {
  const spec = buildSpec({
    regions: { r1: ["a", "b"], r2: ["c"] },
    services: [{ name: "web", zones: ["a", "b"], instances: 2, capacity: 100, load: 300, startup: 30, ...s }],
    disasters: [{ subject: "web", kind, rpo: 0, rto }],
  });
  const { disasters, findings } = analyzeDisasters(new Topology(spec));
  return { ...disasters[0]!, findings: findings.map((f) => f.rule) };
}

test("services: spare capacity, restart, standby, unrecoverable", () => {
  // 4 x 100 = 400 for 300: one instance lost leaves 300, enough.
  assert.equal(service({}, "crash").mechanism, "spare-capacity");
  // a zone lost leaves 200 < 300: restart in the other zone after startup 30s
  const zone = service({}, "zone-outage", 60);
  assert.deepEqual([zone.mechanism, zone.rto.achieved, zone.met], ["restart", 30, true]);
  // objective 0: restart misses
  assert.deepEqual(service({}, "zone-outage", 0).findings, ["dr-rto"]);
  // region r1 holds every zone: no zone survives and no standby
  const region = service({}, "region-outage", 600);
  assert.equal(region.mechanism, null);
  assert.deepEqual(region.findings, ["dr-unrecoverable"]);
  const cold = service({ standby: { kind: "cold", region: "r2", provision: 300 } }, "region-outage", 600);
  assert.deepEqual([cold.mechanism, cold.rto.achieved], ["standby", 330]);
  const hot = service({ standby: { kind: "hot", region: "r2", provision: 0 } }, "region-outage", 0);
  assert.deepEqual([hot.mechanism, hot.rto.achieved, hot.met], ["standby", 0, true]);
  // Neither autoheal nor autoscale: no restart
  const frozen = service(
    { health: { check: "/ready", dependencies: true, autoheal: false }, autoscale: null },
    "zone-outage",
    600,
  );
  assert.equal(frozen.mechanism, null);
  // Restart before standby when both meet.
  assert.equal(
    service({ standby: { kind: "hot", region: "r2", provision: 0 } }, "zone-outage", 60).mechanism,
    "restart",
  );
});
