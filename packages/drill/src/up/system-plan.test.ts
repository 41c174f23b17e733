import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { isNinesError } from "@nines/core";
import { loadSpec, parseSpec, type Spec } from "@nines/planner";
import { DRILL_ERRORS } from "../errors.js";
import { postgresVariable, sqliteVariable, urlVariable } from "./env-names.js";
import { planSystem } from "./system-plan.js";

const root = new URL("../../../../", import.meta.url).pathname;

function spec(yaml: string): Spec {
  const result = parseSpec(yaml, "test.yaml");
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.spec;
}

const TWO_ZONES = `
name: T
platform: { regions: { r1: [a, b] } }
`;

describe("planSystem", () => {
  it("scales ClickTravel's loads, capacities and times, and keeps its placement", () => {
    const clicktravel = loadSpec(join(root, "examples/clicktravel/nines.yaml"));
    const plan = planSystem(clicktravel, { scale: 20, timeScale: 10, specDir: "/srv/ct" });
    const web = plan.services.find((s) => s.name === "web");
    assert.ok(web);
    assert.equal(web.capacity, 25, "500 / 20");
    assert.equal(web.load, 100, "2000 / 20");
    assert.equal(web.replaceDelayMs, 1500, "15 s / 10");
    assert.deepEqual(web.zones, ["us-central1-a", "us-central1-b", "europe-west2-a", "europe-west2-b"]);
    assert.equal(web.instancesPerZone, 2);
    assert.deepEqual(web.dependencies, ["orders", "inventory", "analytics"]);
    assert.deepEqual(web.autoscale, { metric: "requests-per-second", target: 17.5, min: 8, max: 16 });
    const orders = plan.services.find((s) => s.name === "orders");
    assert.deepEqual(orders?.autoscale, { metric: "cpu", target: 0.6, min: 4, max: 8 });
    assert.deepEqual(orders?.stores, ["orders-db"]);
    // Orders is called from every zone web runs in: one balancer listener per caller zone.
    assert.deepEqual(orders?.callerZones, web.zones);
    assert.deepEqual(web.callerZones, []);
    // NINES_CALLS carries the spec's call policy as written (no field scaled, targetKind dropped).
    const { targetKind: _kind, ...spec } = clicktravel.services[0]?.calls[0] ?? { targetKind: "" };
    assert.deepEqual(web.calls[0], spec);
    assert.equal(web.calls[0]?.target, "orders");
    // The ratio that matters is kept: load / capacity, hence the overload after a zone's loss.
    const inventory = plan.services.find((s) => s.name === "inventory");
    const full = clicktravel.services.find((s) => s.name === "inventory");
    assert.ok(inventory && full);
    assert.equal(inventory.load / inventory.capacity, full.load / full.capacity);
    assert.deepEqual(plan.stores, [
      {
        kind: "postgres",
        name: "orders-db",
        engine: "cloud-sql",
        primaryZone: "us-central1-a",
        standbyZone: "us-central1-f",
        synchronous: true,
      },
      { kind: "sqlite", name: "inventory-db", engine: "firestore", perZone: false },
      { kind: "sqlite", name: "analytics-dw", engine: "bigquery", perZone: false },
    ]);
    assert.deepEqual(plan.entries, [{ service: "web", via: "lb", journeys: ["book-trip"] }]);
    assert.equal(plan.zones.find((z) => z.zone === "europe-west2-a")?.region, "europe-west2");
  });

  it("runs a placed sqlite store as a file per zone and a postgres store without replica alone", () => {
    const plan = planSystem(
      spec(`${TWO_ZONES}
services:
  api: { zones: [a, b], instances: 1, capacity: 10, load: 5, run: { command: node api.js, cwd: bin }, calls: { cache: {}, db: {} } }
stores:
  cache: { engine: sqlite, zone: a }
  db: { engine: postgres, zone: b }
`),
      { scale: 1, timeScale: 1, specDir: "/srv" },
    );
    assert.deepEqual(plan.stores, [
      { kind: "sqlite", name: "cache", engine: "sqlite", perZone: true },
      { kind: "postgres", name: "db", engine: "postgres", primaryZone: "b", standbyZone: null, synchronous: true },
    ]);
    const api = plan.services[0];
    assert.equal(api?.command, "node");
    assert.deepEqual(api?.args, ["api.js"]);
    assert.equal(api?.cwd, "/srv/bin");
    // No journeys: the services nobody calls are the entries.
    assert.deepEqual(plan.entries, [{ service: "api", via: null, journeys: [] }]);
  });

  it("refuses a service without run and a store that cannot run locally, saying what to change", () => {
    const noRun = spec(`${TWO_ZONES}
services:
  api: { zones: [a], instances: 1, capacity: 10, load: 5 }
`);
    assert.throws(
      () => planSystem(noRun, { scale: 1, timeScale: 1, specDir: "/" }),
      (e) =>
        isNinesError(e, DRILL_ERRORS.notRunnable) &&
        /"api" has no run section/.test(e.message) &&
        /run:/.test(e.hint ?? ""),
    );
    const redis = spec(`${TWO_ZONES}
services:
  api: { zones: [a], instances: 1, capacity: 10, load: 5, run: { command: node api.js }, calls: { cache: {} } }
stores:
  cache: { engine: redis, zone: a }
`);
    assert.throws(
      () => planSystem(redis, { scale: 1, timeScale: 1, specDir: "/" }),
      (e) => isNinesError(e, DRILL_ERRORS.notRunnable) && /engine redis/.test(e.message),
    );
    assert.throws(
      () => planSystem(redis, { scale: 0.5, timeScale: 1, specDir: "/" }),
      (e) => isNinesError(e, DRILL_ERRORS.optionInvalid),
    );
  });
});

describe("environment names", () => {
  it("upper case, - becomes _", () => {
    assert.equal(urlVariable("orders"), "ORDERS_URL");
    assert.equal(urlVariable("orders-api"), "ORDERS_API_URL");
    assert.equal(postgresVariable("orders-db"), "ORDERS_DB_URLS");
    assert.equal(sqliteVariable("inventory-db"), "INVENTORY_DB");
    assert.equal(sqliteVariable("analytics-dw"), "ANALYTICS_DW_DB");
  });
});
