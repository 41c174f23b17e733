import assert from "node:assert/strict";
import { test } from "node:test";
import { isNinesError, ManualClock } from "@nines/core";
import { buildSpec } from "../../test/support/build-spec.js";
import { clicktravelSpec } from "../../test/support/clicktravel.js";
import { analyze } from "./analyze.js";
import { atLeast } from "./availability/binomial.js";

const R = 0.9999;
const Z = 0.999;
const I = 0.995;
const close = (a: number, b: number, eps = 1e-12) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);

test("ClickTravel: components, worked by hand", () => {
  const result = analyze(clicktravelSpec(), { asOf: "2026-11-29" });
  const figure = (name: string) => result.components.find((c) => c.name === name)!;
  // orders: 2 zones x 2 instances of one region, k = 600 / 300 = 2.
  const orders = R * (Z * Z * atLeast(4, 2, I) + 2 * Z * (1 - Z) * atLeast(2, 2, I));
  close(figure("orders").availability, orders);
  // inventory: k = ceil(900 / 400) = 3 of 4: both zones needed.
  close(figure("inventory").availability, R * Z * Z * atLeast(4, 3, I));
  // analytics: one instance.
  close(figure("analytics").availability, R * Z * I);
  // managed figures from the catalog
  close(figure("lb").availability, 0.9999);
  close(figure("orders-db").availability, 0.9995);
  assert.equal(figure("web").needed, 4);
  assert.equal(figure("web").instances, 8);
  close(
    figure("inventory").downtimeMinutesPerYear,
    Math.round((1 - R * Z * Z * atLeast(4, 3, I)) * 525_960 * 1000) / 1000,
    1e-9,
  );
});

test("ClickTravel: the journey, exact, with correlated zones", () => {
  const result = analyze(clicktravelSpec(), { asOf: "2026-11-29" });
  const [j] = result.journeys;
  assert.deepEqual(j?.components, ["lb", "web", "orders", "orders-db", "inventory", "inventory-db"]);
  assert.deepEqual(j?.zones, ["us-central1-a", "us-central1-b", "europe-west2-a", "europe-west2-b"]);
  assert.equal(j?.method, "exact");
  assert.equal(j?.objective, 0.9995);
  // By hand: orders and inventory share us-central1-a/b; web also uses europe-west2.
  // lb, orders-db (cloud-sql HA) and inventory-db (firestore) are constants.
  const web = (m: number) => atLeast(2 * m, 4, I); // web's figure with m of its 4 zones up
  const both = atLeast(4, 2, I) * atLeast(4, 3, I); // orders x inventory, both us zones up
  const oneUs = atLeast(2, 2, I) * 0; // inventory needs both us zones
  let sum = 0;
  for (const us of [0, 1]) // region us-central1 up?
    for (const eu of [0, 1]) // region europe-west2 up?
      for (let usUp = 0; usUp <= 2; usUp++)
        for (let euUp = 0; euUp <= 2; euUp++) {
          if ((!us && usUp > 0) || (!eu && euUp > 0)) continue;
          const binom = (n: number) => (n === 1 ? 2 : 1);
          const pUs = us ? R * binom(usUp) * Z ** usUp * (1 - Z) ** (2 - usUp) : 1 - R;
          const pEu = eu ? R * binom(euUp) * Z ** euUp * (1 - Z) ** (2 - euUp) : 1 - R;
          const backends = usUp === 2 ? both : usUp === 1 ? oneUs : 0;
          sum += pUs * pEu * web(usUp + euUp) * backends;
        }
  close(j!.availability, 0.9999 * 0.9995 * 0.99999 * sum, 1e-13);
  close(j!.downtimeMinutesPerYear, Math.round((1 - j!.availability) * 525_960 * 1000) / 1000, 1e-9);
  close(j!.downtimeMinutesPerMonth, Math.round((1 - j!.availability) * 43_200 * 1000) / 1000, 1e-9);
});

test("ClickTravel: findings, sorted and deterministic", () => {
  const result = analyze(clicktravelSpec(), { asOf: "2026-11-29" });
  assert.deepEqual(
    result.findings.map((f) => `${f.severity} ${f.rule} ${f.subject}`),
    [
      "error availability-objective book-trip",
      "error n-plus-2 analytics",
      "error n-plus-2 inventory",
      "error spof inventory",
      "error zone-loss-overload inventory",
      "warning no-lazy-deletion orders-db",
      "warning restore-untested inventory-db",
      "warning shallow-health-check analytics",
      "warning spof orders",
      "warning spof orders-db",
      "info no-autoscale analytics",
      "info no-autoscale inventory",
    ],
  );
  const overload = result.findings.find((f) => f.rule === "zone-loss-overload");
  assert.equal(overload?.ratio, 1.125);
  // inventory-db deletes lazily: the accidental deletion is restored from the trash, RPO 0.
  assert.equal(
    result.findings.find((f) => f.rule === "dr-rpo"),
    undefined,
  );
  assert.deepEqual(analyze(clicktravelSpec(), { asOf: "2026-11-29" }), result);
});

test("ClickTravel: DR table, costs, durability and scalability", () => {
  const result = analyze(clicktravelSpec(), { asOf: "2026-11-29" });
  assert.deepEqual(
    result.disasters.map((d) => [d.subject, d.mechanism, d.rpo.achieved, d.rto.achieved, d.met]),
    [
      ["inventory-db", "lazy-deletion", 0, 900, true],
      ["orders-db", "sync-replica", 0, 60, true],
      ["analytics-dw", "rebuild", 0, 86_400, true],
    ],
  );
  assert.deepEqual(
    result.costs.alternatives.map((a) => [a.name, a.instances, a.monthly]),
    [
      // web 8 + orders 4 + inventory 4 + analytics 1 = 17 instances x 50 + stores 600 + 300 + 200
      ["as-written", 17, 17 * 50 + 1100],
      // Per zone max(instances, ceil((k + 2) / zones), ceil(load / ((zones - 1) x capacity))):
      // web 1 zone x max(2, 6) + orders 1 x 4 + inventory 1 x 5 + analytics 1 x 3
      ["single-zone", 18, 18 * 50 + 1100],
      // web 2 x max(2, 3, 4) + orders 2 x 2 + inventory 2 x max(2, 3, 3) + analytics 2 x max(1, 2, 1)
      ["multi-zone", 22, 22 * 50 + 1100],
      // 4 zones each: web 4 x 2 + orders 4 x 2 + inventory 4 x 2 + analytics 4 x 1
      ["multi-region", 28, 28 * 50 + 1100],
    ],
  );
  assert.equal(result.costs.currency, "USD");
  assert.equal(result.costs.alternatives.filter((a) => a.cheapest).length, 1);
  close(result.costs.alternatives[0]!.availability, result.journeys[0]!.availability, 0);
  const orders = result.durability?.find((d) => d.store === "orders-db");
  const threat = (t: string) => orders?.threats.find((x) => x.threat === t);
  assert.deepEqual([threat("crash")?.mechanism, threat("crash")?.rpo], ["sync-replica", 0]);
  assert.deepEqual([threat("deletion")?.mechanism, threat("deletion")?.rpo], ["log-and-backups", 300]);
  // cloud-sql HA keeps both nodes in us-central1: the log and backups (multi-region) recover a region outage.
  assert.deepEqual([threat("region-outage")?.mechanism, threat("region-outage")?.rpo], ["log-and-backups", 300]);
  const web = result.scalability?.find((s) => s.service === "web");
  assert.equal(web?.headroom, 2); // 8 x 500 / 2000
  assert.deepEqual(web?.autoscale, {
    metric: "requests-per-second",
    target: 350,
    max: 16,
    maxCapacity: 8000,
    headroomAtMax: 4,
    instancesAtPeak: 6,
    coversLoad: true,
  });
});

test("asOf defaults to today (UTC) from the injected clock, and must be an ISO date", () => {
  const clock = new ManualClock(Date.parse("2027-12-01T23:30:00Z"));
  const result = analyze(clicktravelSpec(), { clock });
  assert.equal(result.asOf, "2027-12-01");
  // orders-db was tested 2026-09-15: over a year before 2027-12-01.
  assert.ok(result.findings.some((f) => f.rule === "restore-untested" && f.subject === "orders-db"));
  assert.throws(
    () => analyze(clicktravelSpec(), { asOf: "1/12/2027" }),
    (e) => isNinesError(e, "NINES_OPTION_INVALID"),
  );
});

test("forced Monte Carlo gives the method, samples and an interval holding the exact figure", () => {
  const exact = analyze(clicktravelSpec(), { asOf: "2026-11-29" });
  const sampled = analyze(clicktravelSpec(), { asOf: "2026-11-29", method: "monte-carlo", samples: 200_000, seed: 5 });
  const j = sampled.journeys[0]!;
  assert.equal(j.method, "monte-carlo");
  assert.equal(j.samples, 200_000);
  assert.ok(j.ci95![0] <= exact.journeys[0]!.availability && exact.journeys[0]!.availability <= j.ci95![1]);
});

test("a journey without an objective has objective null and no availability-objective finding", () => {
  const spec = buildSpec({
    regions: { r1: ["a"] },
    objective: null,
    services: [{ name: "web", zones: ["a"], instances: 3, capacity: 100, load: 50 }],
    journeys: [{ name: "j", entry: "web" }],
  });
  const result = analyze(spec, { asOf: "2026-11-29" });
  assert.equal(result.journeys[0]?.objective, null);
  assert.ok(!result.findings.some((f) => f.rule === "availability-objective"));
  assert.deepEqual(JSON.parse(JSON.stringify(result)).journeys[0].objective, null);
});

test("a restore test dated after asOf is a spec error with its place", () => {
  const spec = clicktravelSpec();
  spec.locations.set("stores.orders-db.backups.tested", { file: "nines.yaml", line: 71, column: 68 });
  assert.throws(
    () => analyze(spec, { asOf: "2026-09-14" }),
    (e) =>
      isNinesError(e, "NINES_SPEC_INVALID") &&
      e.name === "PlannerError" &&
      JSON.stringify(e.details.errors) ===
        JSON.stringify([
          {
            file: "nines.yaml",
            line: 71,
            column: 68,
            message:
              "stores.orders-db.backups.tested is 2026-09-15, after the analysis date 2026-09-14: a restore test cannot be in the future",
            hint: "write the date of the last restore test that has happened, or pass --as-of 2026-09-15 or later",
          },
        ]),
  );
  // The same day passes.
  assert.equal(analyze(spec, { asOf: "2026-09-15" }).asOf, "2026-09-15");
});
