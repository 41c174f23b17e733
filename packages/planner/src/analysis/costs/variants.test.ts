import assert from "node:assert/strict";
import { test } from "node:test";
import { buildSpec } from "../../../test/support/build-spec.js";
import { clicktravelSpec } from "../../../test/support/clicktravel.js";
import { nPlusTwo, zoneLossOverload } from "../rules/capacity-rules.js";
import { costAlternatives, hasCosts, variantSpec } from "./variants.js";

const R = 0.9999;
const Z = 0.999;
const I = 0.995;
const LB = 0.9999;
const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);
/** P(at least 2 of n instances up) */
const atLeast2 = (n: number) => 1 - (1 - I) ** n - n * I * (1 - I) ** (n - 1);

const spec = buildSpec({
  regions: { r1: ["a", "b"], r2: ["c"] },
  edge: [{ name: "lb", availability: LB, cost: 20 }],
  // k = ceil(150 / 100) = 2
  services: [{ name: "web", zones: ["a"], instances: 2, capacity: 100, load: 150, calls: [{ target: "db" }] }],
  stores: [{ name: "db", zone: "a", cost: 100 }],
  journeys: [{ name: "j", via: "lb", entry: "web" }],
  costs: { currency: "EUR", instance: 50, downtimePerHour: 1000 },
});

test("variants place services as spec.md says", () => {
  assert.deepEqual(variantSpec(spec, "single-zone").services[0]?.zones, ["a"]);
  assert.deepEqual(variantSpec(spec, "multi-zone").services[0]?.zones, ["a", "b"]);
  assert.deepEqual(variantSpec(spec, "multi-region").services[0]?.zones, ["a", "b", "c"]);
  const ct = clicktravelSpec();
  // web runs in 2 + 2 zones of two regions: multi-zone keeps its two us-central1 zones.
  assert.deepEqual(variantSpec(ct, "multi-zone").services[0]?.zones, ["us-central1-a", "us-central1-b"]);
  // analytics (one zone) gets a second zone in its region; multi-region adds as many in europe-west2.
  const analytics = variantSpec(ct, "multi-region").services.find((s) => s.name === "analytics");
  assert.deepEqual(analytics?.zones, ["us-central1-a", "us-central1-b", "europe-west2-a", "europe-west2-b"]);
  // instances per zone become max(instances, ceil((k + 2) / zones)), the N+2 sizing:
  // inventory k = 3 in one zone -> 5; in two zones -> 3.
  assert.equal(variantSpec(ct, "single-zone").services.find((s) => s.name === "inventory")?.instances, 5);
  assert.equal(variantSpec(ct, "multi-zone").services.find((s) => s.name === "inventory")?.instances, 3);
});

test("monthly cost, availability and downtime cost, worked by hand", () => {
  const rows = costAlternatives(spec);
  assert.deepEqual(
    rows.map((r) => [r.name, r.instances, r.monthly]),
    [
      // instances x 50 + one self-managed db node x 50 + db cost 100 + lb cost 20
      ["as-written", 2, 2 * 50 + 50 + 100 + 20],
      // N+2: web needs k = 2, so 4 in its one zone
      ["single-zone", 4, 4 * 50 + 50 + 120],
      ["multi-zone", 4, 4 * 50 + 50 + 120],
      ["multi-region", 6, 6 * 50 + 50 + 120],
    ],
  );
  // web (2 in a, needs 2) and db (node in a) share zone a: LB * R * Z * I^2 * I.
  const asWritten = LB * R * Z * I ** 2 * I;
  // multi-zone: db needs a; web has 4 when b is up, else 2.
  const multiZone = LB * R * Z * I * (Z * atLeast2(4) + (1 - Z) * atLeast2(2));
  // multi-region: c's state is independent of r1's (region r2 up with R, then zone c with Z).
  const cUp = R * Z;
  let web = 0;
  for (const b of [0, 1])
    for (const c of [0, 1]) {
      web += (b ? Z : 1 - Z) * (c ? cUp : 1 - cUp) * atLeast2(2 * (1 + b + c));
    }
  const multiRegion = LB * R * Z * I * web;
  // single-zone: web has 4 in a (N+2) and needs 2.
  const singleZone = LB * R * Z * I * atLeast2(4);
  const expected = [asWritten, singleZone, multiZone, multiRegion];
  rows.forEach((r, i) => {
    close(r.availability, expected[i]!, 1e-14);
    close(r.downtimeCostPerYear, (1 - expected[i]!) * 8766 * 1000);
    close(r.totalPerYear!, 12 * r.monthly + r.downtimeCostPerYear);
  });
  const best = rows.reduce((a, b) => (b.totalPerYear! < a.totalPerYear! ? b : a));
  assert.deepEqual(
    rows.filter((r) => r.cheapest).map((r) => r.name),
    [best.name],
  );
});

test("a service with its own cost scales it by instances", () => {
  const own = buildSpec({
    regions: { r1: ["a", "b"] },
    services: [{ name: "web", zones: ["a"], instances: 2, capacity: 100, load: 50, cost: 300 }],
    journeys: [{ name: "j", entry: "web" }],
  });
  const rows = costAlternatives(own);
  assert.equal(rows[0]?.monthly, 300);
  // multi-zone: 4 instances, twice the cost as written.
  assert.equal(rows[2]?.monthly, 600);
});

test("derived variants are sized as the plan's capacity rules recommend, never to exactly the load", () => {
  // k = 2; as written 2 zones x 2 passes n-plus-2. Sized to ceil(k / zones) the single-zone row
  // had 2 instances (no spare at all); with N+2 it has k + 2 = 4.
  const written = buildSpec({
    regions: { r1: ["a", "b", "c"] },
    services: [{ name: "web", zones: ["a", "b"], instances: 2, capacity: 100, load: 200 }],
    journeys: [{ name: "j", entry: "web" }],
  });
  for (const name of ["single-zone", "multi-zone", "multi-region"] as const) {
    const service = variantSpec(written, name).services[0]!;
    assert.deepEqual(nPlusTwo(service), [], `${name}: ${service.zones.length} x ${service.instances}`);
    assert.deepEqual(zoneLossOverload(service), [], `${name}: ${service.zones.length} x ${service.instances}`);
  }
  // ClickTravel's web (k = 4) in two zones: N+2 asks 3 per zone, a zone loss 4.
  const web = variantSpec(clicktravelSpec(), "multi-zone").services[0]!;
  assert.deepEqual([web.zones.length, web.instances], [2, 4]);
  assert.equal(variantSpec(written, "single-zone").services[0]!.instances, 4);
});

test("without any cost in the spec, no row is marked cheapest", () => {
  const free = buildSpec({
    regions: { r1: ["a", "b"] },
    services: [{ name: "web", zones: ["a", "b"], instances: 2, capacity: 100, load: 100 }],
    journeys: [{ name: "j", entry: "web" }],
    costs: { instance: 0, downtimePerHour: 0 },
  });
  assert.equal(hasCosts(free), false);
  const rows = costAlternatives(free);
  assert.deepEqual(
    rows.map((r) => [r.monthly, r.downtimeCostPerYear, r.cheapest]),
    rows.map(() => [0, 0, false]),
  );
  // One cost anywhere is enough to compare.
  const priced = { ...free, costs: { ...free.costs, downtimePerHour: 1 } };
  assert.equal(hasCosts(priced), true);
  assert.equal(costAlternatives(priced).filter((r) => r.cheapest).length, 1);
});
