import assert from "node:assert/strict";
import { test } from "node:test";
import { buildSpec, type DisasterInput, type ServiceInput, type StoreInput } from "../../../test/support/build-spec.js";
import type { BackupLocation, DisasterKind } from "../../model.js";
import { fromSeconds } from "../../result-seconds.js";
import { Topology } from "../topology/topology.js";
import { analyzeDisasters } from "./disasters.js";

const H = 3_600_000;
const D = 86_400_000;

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
    rpoMs: d.rpo.achieved === null ? null : fromSeconds(d.rpo.achieved),
    rtoMs: d.rto.achieved === null ? null : fromSeconds(d.rto.achieved),
    met: d.met,
    findings: findings.map((f) => `${f.rule}:${f.severity}`),
    scenario: findings[0]?.scenario,
  };
}

const everything: Omit<StoreInput, "name"> = {
  deletion: { trashMs: 30 * D, softMs: 30 * D, restoreMs: 900_000 },
  log: { intervalMs: 300_000, at: { kind: "multi-region" } },
  backups: { intervalMs: D, at: { kind: "multi-region" }, restoreMs: 1_800_000, tested: "2026-11-01" },
  rebuildMs: 12 * H,
  replica: { zone: "b", sync: true, lagMs: 0, failoverMs: 60_000 },
};

test("deletion: lazy deletion first, then log + backups, backups, rebuild; a replica never recovers it", () => {
  assert.deepEqual(run(everything, { kind: "deletion", rpoMs: 0, rtoMs: H }), {
    mechanism: "lazy-deletion",
    rpoMs: 0,
    rtoMs: 900_000,
    met: true,
    findings: [],
    scenario: undefined,
  });
  // via database: lazy deletion does not help; the log (RPO 5m) meets rpo 1h.
  assert.equal(run(everything, { kind: "deletion", via: "database", rpoMs: H, rtoMs: H }).mechanism, "log-and-backups");
  // rpo 0 via database: only rebuild (RPO 0, RTO 12h) meets with a 24h RTO...
  assert.equal(run(everything, { kind: "deletion", via: "database", rpoMs: 0, rtoMs: D }).mechanism, "rebuild");
  // ...and with a 1h RTO nothing meets: the first that applies, missed on RPO only.
  const missed = run(everything, { kind: "deletion", via: "database", rpoMs: 0, rtoMs: H });
  assert.equal(missed.mechanism, "log-and-backups");
  assert.equal(missed.met, false);
  assert.deepEqual(missed.findings, ["dr-rpo:error"]);
  // Only a replica: a deletion is unrecoverable.
  const replicaOnly = run({ replica: everything.replica! }, { kind: "deletion", rpoMs: H, rtoMs: H });
  assert.equal(replicaOnly.mechanism, null);
  assert.deepEqual(replicaOnly.findings, ["dr-unrecoverable:error"]);
});

test("first that applies when none meets: both dr-rpo and dr-rto, warning unless high priority", () => {
  const r = run({ backups: everything.backups! }, { kind: "deletion", rpoMs: H, rtoMs: 600_000, priority: "medium" });
  assert.deepEqual([r.mechanism, r.rpoMs, r.rtoMs, r.met], ["backups", D, 1_800_000, false]);
  assert.deepEqual(r.findings, ["dr-rpo:warning", "dr-rto:warning"]);
  assert.equal(r.scenario, "db deletion");
  // equality meets
  assert.equal(run({ backups: everything.backups! }, { kind: "deletion", rpoMs: D, rtoMs: 1_800_000 }).met, true);
});

test("a log without backups is no mechanism", () => {
  const r = run({ log: everything.log! }, { kind: "crash", rpoMs: H, rtoMs: H });
  assert.equal(r.mechanism, null);
  assert.deepEqual(r.findings, ["dr-unrecoverable:error"]);
});

test("crash: managed catalog engine, then replica (sync or async), then copies", () => {
  const managed = { zone: null, managed: true, sla: 0.99999, engine: "firestore", location: "multi-region" };
  assert.deepEqual(run(managed, { kind: "crash", rpoMs: 0, rtoMs: 0 }).mechanism, "managed");
  assert.equal(run(everything, { kind: "crash", rpoMs: 0, rtoMs: 300_000 }).mechanism, "sync-replica");
  const async = run(
    { replica: { zone: "b", sync: false, lagMs: 300_000, failoverMs: 120_000 } },
    { kind: "crash", rpoMs: 600_000, rtoMs: 300_000 },
  );
  assert.deepEqual([async.mechanism, async.rpoMs, async.rtoMs], ["async-replica", 300_000, 120_000]);
  // cloud-sql HA recovers through its replica, not as "managed".
  const cloudSql = {
    engine: "cloud-sql",
    managed: true,
    sla: 0.9995,
    replica: { zone: "b", sync: true, lagMs: 0, failoverMs: 60_000 },
  };
  assert.equal(run(cloudSql, { kind: "crash", rpoMs: 0, rtoMs: 300_000 }).mechanism, "sync-replica");
  // Backups kept in the same zone survive a crash but not a zone outage.
  const local = { backups: { intervalMs: D, at: { kind: "same-zone" as const }, restoreMs: 1_800_000, tested: null } };
  assert.equal(run(local, { kind: "crash", rpoMs: D, rtoMs: H }).mechanism, "backups");
  assert.equal(run(local, { kind: "zone-outage", rpoMs: D, rtoMs: H }).mechanism, null);
});

test("region outage: spread managed engines, replica in another region, copies outside the region", () => {
  const managed = (location: string) => ({ zone: null, managed: true, sla: 0.9999, engine: "spanner", location });
  assert.equal(run(managed("multi-region"), { kind: "region-outage", rpoMs: 0, rtoMs: 0 }).mechanism, "managed");
  assert.equal(run(managed("r1"), { kind: "region-outage", rpoMs: 0, rtoMs: 0 }).mechanism, null);
  // A replica in the same region does not survive; one in r2 does.
  assert.equal(run(everything, { kind: "region-outage", rpoMs: 0, rtoMs: 300_000 }).mechanism, "log-and-backups");
  const geo = { replica: { zone: "c", sync: false, lagMs: 30_000, failoverMs: 300_000 } };
  assert.deepEqual(run(geo, { kind: "region-outage", rpoMs: 60_000, rtoMs: 600_000 }).mechanism, "async-replica");
  // Backups named after the store's own region do not survive.
  const own = {
    backups: { intervalMs: D, at: { kind: "region" as const, region: "r1" }, restoreMs: 1_800_000, tested: null },
  };
  const lost = run(own, { kind: "region-outage", rpoMs: D, rtoMs: D });
  assert.equal(lost.mechanism, null);
  assert.deepEqual(lost.findings, ["dr-unrecoverable:error"]);
  // A cold standby adds its provisioning time to the restore; a hot one nothing.
  const backups = {
    backups: { intervalMs: D, at: { kind: "other-region" as const }, restoreMs: 1_800_000, tested: null },
  };
  const cold = run(
    { ...backups, standby: { kind: "cold", region: "r2", provisionMs: 600_000 } },
    { kind: "region-outage", rpoMs: D, rtoMs: D },
  );
  assert.deepEqual([cold.mechanism, cold.rtoMs], ["backups", 2_400_000]);
  const hot = run(
    { ...backups, standby: { kind: "hot", region: "r2", provisionMs: 0 } },
    { kind: "region-outage", rpoMs: D, rtoMs: D },
  );
  assert.equal(hot.rtoMs, 1_800_000);
});

/** One service scenario with an RTO objective in seconds; the result carries seconds. */
function service(s: Omit<ServiceInput, "name" | "zones"> & { zones?: string[] }, kind: DisasterKind, rto = 0) {
  const spec = buildSpec({
    regions: { r1: ["a", "b"], r2: ["c"] },
    services: [{ name: "web", zones: ["a", "b"], instances: 2, capacity: 100, load: 300, startupMs: 30_000, ...s }],
    disasters: [{ subject: "web", kind, rpoMs: 0, rtoMs: rto * 1000 }],
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
  const cold = service({ standby: { kind: "cold", region: "r2", provisionMs: 300_000 } }, "region-outage", 600);
  assert.deepEqual([cold.mechanism, cold.rto.achieved], ["standby", 330]);
  // A hot standby is a copy of the deployment in its region's zones (docs/planner-model.md, "Standbys"):
  // r2 has one zone, so 2 instances there (200 < 300) must start more first; 3 per zone carry the load at once.
  const hot = service({ standby: { kind: "hot", region: "r2", provisionMs: 0 } }, "region-outage", 0);
  assert.deepEqual([hot.mechanism, hot.rto.achieved, hot.met], ["standby", 30, false]);
  const hotEnough = service(
    { instances: 3, standby: { kind: "hot", region: "r2", provisionMs: 0 } },
    "region-outage",
    0,
  );
  assert.deepEqual([hotEnough.mechanism, hotEnough.rto.achieved, hotEnough.met], ["standby", 0, true]);
  // Neither autoheal nor autoscale: no restart
  const frozen = service(
    { health: { check: "/readyz", dependencies: true, autoheal: false }, autoscale: null },
    "zone-outage",
    600,
  );
  assert.equal(frozen.mechanism, null);
  // Restart before standby when both meet.
  assert.equal(
    service({ standby: { kind: "hot", region: "r2", provisionMs: 0 } }, "zone-outage", 60).mechanism,
    "restart",
  );
});

test("replication (replicate): RPO its interval wherever a replica survives, before the log", () => {
  const replicated = (at: BackupLocation[]): Omit<StoreInput, "name"> => ({
    engine: "sqlite",
    replicate: { at, intervalMs: 1000, restoreMs: 300_000 },
    ...everything,
    replica: null,
  });
  // A deletion: the replicated log restores to before it (RPO the interval), ahead of the 5m log.
  const deletion = run(replicated([{ kind: "same-zone" }]), {
    kind: "deletion",
    via: "database",
    rpoMs: 60_000,
    rtoMs: H,
  });
  assert.deepEqual([deletion.mechanism, deletion.rpoMs, deletion.rtoMs], ["replication", 1000, 300_000]);
  // A crash keeps a same-zone replica; a zone outage does not, a region outage needs it outside the region.
  assert.equal(
    run(replicated([{ kind: "same-zone" }]), { kind: "crash", rpoMs: 1000, rtoMs: H }).mechanism,
    "replication",
  );
  const zone = run(replicated([{ kind: "same-zone" }]), { kind: "zone-outage", rpoMs: 1000, rtoMs: H });
  assert.equal(zone.mechanism, "log-and-backups");
  const region = (at: BackupLocation[]) => run(replicated(at), { kind: "region-outage", rpoMs: 1000, rtoMs: H });
  assert.equal(region([{ kind: "same-region" }]).mechanism, "log-and-backups");
  assert.equal(region([{ kind: "same-region" }, { kind: "region", region: "r2" }]).mechanism, "replication");
  assert.equal(region([{ kind: "region", region: "r1" }]).met, false);
  // A sqlite store with nothing but replication is recoverable from every threat its replicas survive.
  const only = run(
    { engine: "sqlite", replicate: { at: [{ kind: "multi-region" }], intervalMs: 1000, restoreMs: 60_000 } },
    {
      kind: "region-outage",
      rpoMs: 1000,
      rtoMs: 60_000,
    },
  );
  assert.deepEqual([only.mechanism, only.met], ["replication", true]);
});
