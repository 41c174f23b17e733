// spec.md "What recovers a disaster": mechanisms in order, achieved RPO/RTO, met/missed, dr-* findings.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PlanResult } from "../../src/index.js";
import { OK_SERVICE, plan } from "./helpers.js";

const P = "platform: { regions: { r1: [a, b, c], r2: [d, e] } }";
const FULL =
  "{ engine: postgres, zone: a, replica: { zone: b, sync: true, failover: 60s }, backups: { every: 24h, at: multi-region, restore: 30m, tested: 2026-10-01 }, log: 5m, deletion: { trash: 30d, soft: 30d, restore: 15m }, rebuild: 2h }";

function scenario(store: string, disaster: string): PlanResult {
  return plan(`name: T\n${P}\nstores:\n  db: ${store}\ndisasters:\n  - ${disaster}\n`);
}
const outcome = (r: PlanResult) => {
  const d = r.disasters[0]!;
  return [d.mechanism, d.rpo.achieved, d.rto.achieved, d.met];
};
const dr = (r: PlanResult) => r.findings.filter((f) => f.rule.startsWith("dr-")).map((f) => [f.rule, f.severity]);

describe("contract: store scenarios", () => {
  it("deletion via the application: lazy deletion (0 / deletion.restore)", () => {
    const r = scenario(FULL, "{ store: db, scenario: Oops, kind: deletion, rpo: 0, rto: 15m, priority: high }");
    assert.deepEqual(outcome(r), ["lazy-deletion", 0, 900, true]);
    assert.deepEqual(dr(r), []);
    const d = r.disasters[0]!;
    assert.equal(d.subject, "db");
    assert.equal(d.scenario, "Oops");
    assert.equal(d.kind, "deletion");
    assert.deepEqual(d.rpo, { objective: 0, achieved: 0 });
  });

  it("via: database defeats lazy deletion; first mechanism meeting both: log (300 <= 600, 1800 <= 3600)", () => {
    const r = scenario(
      FULL,
      "{ store: db, scenario: Raw, kind: deletion, via: database, rpo: 10m, rto: 1h, priority: high }",
    );
    assert.deepEqual(outcome(r), ["log-and-backups", 300, 1800, true]);
  });

  it("none meets both: the first that applies, missed; dr-rpo error for high priority", () => {
    // RPO 0, RTO 1h: log 300/1800 (RPO missed), backups 86400/1800, rebuild 0/7200 (RTO missed)
    const r = scenario(
      FULL,
      "{ store: db, scenario: Raw, kind: deletion, via: database, rpo: 0, rto: 1h, priority: high }",
    );
    assert.deepEqual(outcome(r), ["log-and-backups", 300, 1800, false]);
    assert.deepEqual(dr(r), [["dr-rpo", "error"]]);
    const f = r.findings.find((x) => x.rule === "dr-rpo")!;
    assert.equal(f.subject, "db");
    assert.equal(f["scenario"], "Raw");
    assert.match(f.message, /Raw/);
  });

  it("rebuild when it is the first to meet both (0 <= 0, 7200 <= 3h)", () => {
    const r = scenario(
      FULL,
      "{ store: db, scenario: Raw, kind: deletion, via: database, rpo: 0, rto: 3h, priority: low }",
    );
    assert.deepEqual(outcome(r), ["rebuild", 0, 7200, true]);
  });

  it("dr-rpo and dr-rto are warnings below high priority", () => {
    const r = scenario(
      FULL,
      "{ store: db, scenario: Raw, kind: deletion, via: database, rpo: 0, rto: 1m, priority: medium }",
    );
    assert.deepEqual(outcome(r), ["log-and-backups", 300, 1800, false]);
    assert.deepEqual(dr(r).sort(), [
      ["dr-rpo", "warning"],
      ["dr-rto", "warning"],
    ]);
  });

  it("a replica never recovers a deletion", () => {
    const r = scenario(
      "{ engine: postgres, zone: a, replica: { zone: b, sync: true, failover: 60s } }",
      "{ store: db, scenario: Gone, kind: deletion, rpo: 0, rto: 1h, priority: high }",
    );
    assert.deepEqual(outcome(r), [null, null, null, false]);
    assert.deepEqual(dr(r), [["dr-unrecoverable", "error"]]); // and only that one
  });

  it("crash: sync replica (0 / failover); async replica (lag / failover)", () => {
    assert.deepEqual(
      outcome(scenario(FULL, "{ store: db, scenario: C, kind: crash, rpo: 0, rto: 5m, priority: high }")),
      ["sync-replica", 0, 60, true],
    );
    const asyncStore = "{ engine: mysql, zone: a, replica: { zone: b, sync: false, lag: 5m, failover: 2m } }";
    assert.deepEqual(
      outcome(scenario(asyncStore, "{ store: db, scenario: C, kind: crash, rpo: 10m, rto: 5m, priority: high }")),
      ["async-replica", 300, 120, true],
    );
  });

  it("crash: a managed catalog engine other than cloud-sql recovers (0 / 0) at any location", () => {
    const r = scenario(
      "{ engine: firestore, location: r1 }",
      "{ store: db, scenario: C, kind: crash, rpo: 0, rto: 0, priority: high }",
    );
    assert.deepEqual(outcome(r), ["managed", 0, 0, true]);
  });

  it("cloud-sql HA recovers a crash through its replica, not as managed", () => {
    const r = scenario(
      "{ engine: cloud-sql, zone: a, replica: { zone: c, sync: true, failover: 60s } }",
      "{ store: db, scenario: C, kind: crash, rpo: 0, rto: 0, priority: high }",
    );
    assert.deepEqual(outcome(r), ["sync-replica", 0, 60, false]);
    assert.deepEqual(dr(r), [["dr-rto", "error"]]);
  });

  it("same-zone backups survive a crash but not a zone outage", () => {
    const store =
      "{ engine: postgres, zone: a, backups: { every: 1h, at: same-zone, restore: 10m, tested: 2026-11-01 } }";
    assert.deepEqual(
      outcome(scenario(store, "{ store: db, scenario: C, kind: crash, rpo: 1h, rto: 1h, priority: high }")),
      ["backups", 3600, 600, true],
    );
    const zone = scenario(store, "{ store: db, scenario: Z, kind: zone-outage, rpo: 1h, rto: 1h, priority: high }");
    assert.deepEqual(outcome(zone), [null, null, null, false]);
    assert.deepEqual(dr(zone), [["dr-unrecoverable", "error"]]);
  });

  it("a log without backups is no mechanism", () => {
    const r = scenario(
      "{ engine: postgres, zone: a, log: 5m }",
      "{ store: db, scenario: C, kind: crash, rpo: 1h, rto: 1h, priority: low }",
    ); // a valid spec: spec.md says such a log is no mechanism, not an error in the input
    assert.equal(r.disasters[0]!.mechanism, null);
    assert.deepEqual(dr(r), [["dr-unrecoverable", "error"]]);
    const located = scenario(
      "{ engine: postgres, zone: a, log: { every: 5m, at: multi-region } }",
      "{ store: db, scenario: C, kind: crash, rpo: 1h, rto: 1h, priority: low }",
    );
    assert.equal(located.disasters[0]!.mechanism, null);
  });

  it("region outage: managed multi-region (0 / 0); regional managed needs backups outside its region", () => {
    assert.deepEqual(
      outcome(
        scenario(
          "{ engine: spanner, location: multi-region }",
          "{ store: db, scenario: R, kind: region-outage, rpo: 0, rto: 0, priority: high }",
        ),
      ),
      ["managed", 0, 0, true],
    );
    const regional =
      "{ engine: firestore, location: r1, backups: { every: 24h, at: r1, restore: 1h, tested: 2026-11-01 } }";
    assert.equal(
      scenario(regional, "{ store: db, scenario: R, kind: region-outage, rpo: 1d, rto: 1d, priority: high }")
        .disasters[0]!.mechanism,
      null,
    );
    const elsewhere =
      "{ engine: firestore, location: r1, backups: { every: 24h, at: r2, restore: 1h, tested: 2026-11-01 } }";
    assert.deepEqual(
      outcome(scenario(elsewhere, "{ store: db, scenario: R, kind: region-outage, rpo: 1d, rto: 1d, priority: high }")),
      ["backups", 86_400, 3600, true],
    );
  });

  it("region outage: a replica in the same region does not count; one in another region does", () => {
    assert.deepEqual(
      outcome(scenario(FULL, "{ store: db, scenario: R, kind: region-outage, rpo: 0, rto: 1h, priority: high }")),
      ["log-and-backups", 300, 1800, false], // rebuild (0 / 7200) misses too; the replica in b is in r1
    );
    const cross = "{ engine: postgres, zone: a, replica: { zone: d, sync: false, lag: 1m, failover: 5m } }";
    assert.deepEqual(
      outcome(scenario(cross, "{ store: db, scenario: R, kind: region-outage, rpo: 1m, rto: 5m, priority: high }")),
      ["async-replica", 60, 300, true],
    );
  });

  it("region outage: a cold standby adds its provisioning time, a hot one nothing", () => {
    const base =
      "engine: postgres, zone: a, backups: { every: 1h, at: other-region, restore: 30m, tested: 2026-11-01 }, log: 5m";
    const cold = scenario(
      `{ ${base}, standby: { kind: cold, region: r2, provision: 1h } }`,
      "{ store: db, scenario: R, kind: region-outage, rpo: 1h, rto: 4h, priority: high }",
    );
    assert.deepEqual(outcome(cold), ["log-and-backups", 300, 1800 + 3600, true]);
    const hot = scenario(
      `{ ${base}, standby: { kind: hot, region: r2, provision: 1h } }`,
      "{ store: db, scenario: R, kind: region-outage, rpo: 1h, rto: 4h, priority: high }",
    );
    assert.deepEqual(outcome(hot), ["log-and-backups", 300, 1800, true]);
  });
});

describe("contract: service scenarios", () => {
  const svc = (name: string, def: string, disaster: string) =>
    plan(`name: T\n${P}\nservices:\n  ${name}: ${def}\ndisasters:\n  - ${disaster}\n`);

  it("spare capacity: the rest carries the load (RTO 0); rpo may be omitted", () => {
    // 3 zones x 2 x 100, load 300: lose one instance: 500; lose zone a: 400
    const def = `{ zones: [a, b, c], instances: 2, capacity: 100, load: 300, startup: 20s, ${OK_SERVICE} }`;
    for (const kind of ["crash", "zone-outage"]) {
      const r = svc("s", def, `{ service: s, scenario: S, kind: ${kind}, rto: 0, priority: high }`);
      assert.deepEqual(outcome(r), ["spare-capacity", 0, 0, true]);
      assert.deepEqual(r.disasters[0]!.rpo, { objective: 0, achieved: 0 });
      assert.equal(r.disasters[0]!.subject, "s");
    }
  });

  it("restart (startup) when it autoheals and a zone survives", () => {
    // 2 zones x 1 x 100, load 200: a zone lost leaves 100 < 200
    const def = `{ zones: [a, b], instances: 1, capacity: 100, load: 200, startup: 20s, ${OK_SERVICE} }`;
    const r = svc("s", def, "{ service: s, scenario: S, kind: zone-outage, rto: 1m, priority: high }");
    assert.deepEqual(outcome(r), ["restart", 0, 20, true]);
  });

  it("region outage with no surviving zone: a cold standby (provision + startup), else unrecoverable", () => {
    const noStandby = `{ zones: [a, b], instances: 2, capacity: 100, load: 100, startup: 20s, ${OK_SERVICE} }`;
    const none = svc("s", noStandby, "{ service: s, scenario: S, kind: region-outage, rto: 1h, priority: low }");
    assert.deepEqual(outcome(none), [null, null, null, false]);
    assert.deepEqual(dr(none), [["dr-unrecoverable", "error"]]);
    const cold = `{ zones: [a, b], instances: 2, capacity: 100, load: 100, startup: 20s, standby: { kind: cold, region: r2, provision: 10m }, ${OK_SERVICE} }`;
    assert.deepEqual(
      outcome(svc("s", cold, "{ service: s, scenario: S, kind: region-outage, rto: 1h, priority: low }")),
      ["standby", 0, 620, true], // 600 + 20
    );
    const hot = cold.replace("kind: cold", "kind: hot");
    assert.deepEqual(
      outcome(svc("s", hot, "{ service: s, scenario: S, kind: region-outage, rto: 0, priority: low }")),
      ["standby", 0, 0, true],
    );
  });

  it("region outage: the worst region of a service in two regions", () => {
    // r1: a, b with 2 x 100 each = 400; r2: d with 200. load 300: losing r1 leaves 200 < 300
    const def = `{ zones: [a, b, d], instances: 2, capacity: 100, load: 300, startup: 30s, ${OK_SERVICE} }`;
    const r = svc("s", def, "{ service: s, scenario: S, kind: region-outage, rto: 0, priority: medium }");
    assert.deepEqual(outcome(r), ["restart", 0, 30, false]);
    assert.deepEqual(dr(r), [["dr-rto", "warning"]]);
  });

  it("without autoheal nor autoscale, a service does not restart", () => {
    const def =
      "{ zones: [a, b], instances: 1, capacity: 100, load: 200, startup: 20s, health: { check: /r, dependencies: true } }";
    const r = svc("s", def, "{ service: s, scenario: S, kind: zone-outage, rto: 1h, priority: high }");
    assert.equal(r.disasters[0]!.mechanism, null);
  });
});
