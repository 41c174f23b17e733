// spec.md "Risk/cost variants" and "Exact or sampled", with hand-computed figures.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { atLeastK, close, I, journey, nines, OK_SERVICE, plan, R, ROOT, SPECS, withSpecFile, Z } from "./helpers.js";

describe("contract: risk/cost variants", () => {
  const result = plan(readFileSync(`${ROOT}/${SPECS}/variants.nines.yaml`, "utf8"));
  const row = (name: string) => result.costs.alternatives.find((a) => a.name === name)!;
  const q = 1 - I;
  const LB = 0.9999;
  // monthly = instances x 100 + 2 postgres nodes x 100 + firestore 50 (bare: per month) + lb 10
  const monthly = (instances: number) => instances * 100 + 200 + 50 + 10;
  // a region with two used zones holding one instance each (up with Z I given the region): up-instance counts
  const u = Z * I;
  const p0 = 1 - R + R * (1 - u) ** 2;
  const p1 = R * 2 * u * (1 - u);
  const expected = {
    // s: [b, a] x 1 (k = 2, both needed): R Z^2 I^2; t: [d] x 2: R Z (1 - q^2). Lowest: s.
    "as-written": { instances: 2 + 2, a: LB * R * Z * Z * I * I },
    // Derived rows are sized as the plan's capacity rules recommend: per zone max(instances,
    // ceil((k + 2) / zones) for N+2, ceil(load / ((zones - 1) x capacity)) for a zone loss).
    // s: [b] x max(1, ceil(4 / 1)) = 4, at least 2 of 4 up: R Z P(>= 2 of 4); t: [d] x max(2, ceil(3 / 1)) = 3
    "single-zone": { instances: 4 + 3, a: LB * R * Z * atLeastK(4, 2, I) },
    // s: [b, a] x max(1, ceil(4 / 2)) = 2: both zones up and 2 of 4, or one zone and both of its 2;
    // t: [d] plus e (at least two zones of r2) x max(2, ceil(3 / 2)) = 2
    "multi-zone": { instances: 4 + 4, a: LB * R * (Z * Z * atLeastK(4, 2, I) + 2 * Z * (1 - Z) * I * I) },
    // s: [b, a] + [d, e] x max(1, ceil(2 / 4)) = 1: P(at least 2 of the 4 up) = 1 - p0^2 - 2 p0 p1;
    // t: [d, e] + [a, b] x 2, k = 1: far higher.
    "multi-region": { instances: 4 + 8, a: LB * (1 - p0 * p0 - 2 * p0 * p1) },
  } as const;

  it("the rows, in order: as-written, single-zone, multi-zone, multi-region", () => {
    assert.deepEqual(
      result.costs.alternatives.map((a) => a.name),
      ["as-written", "single-zone", "multi-zone", "multi-region"],
    );
  });

  for (const [name, { instances, a }] of Object.entries(expected)) {
    it(`${name}: ${instances} instances, monthly, lowest journey availability, downtime cost`, () => {
      const r = row(name);
      assert.equal(r.instances, instances);
      close(r.monthly, monthly(instances), 1e-9);
      close(r.availability, a);
      // downtimeCostPerYear = (1 - availability) x 8,766 h x 1000/hour
      close(r.downtimeCostPerYear, (1 - a) * 8766 * 1000, 1e-6);
    });
  }

  it("the cheapest row has the smallest 12 x monthly + downtimeCostPerYear, and only it", () => {
    const totals = Object.entries(expected).map(([name, { instances, a }]) => ({
      name,
      total: 12 * monthly(instances) + (1 - a) * 8766 * 1000,
    }));
    const cheapest = totals.reduce((x, y) => (y.total < x.total ? y : x)).name;
    assert.deepEqual(
      result.costs.alternatives.filter((a) => a.cheapest).map((a) => a.name),
      [cheapest],
    );
  });

  it("t's multi-region figure is above s's, so s sets the row (a check on the reading above)", () => {
    const t = 1 - (1 - R + R * (1 - Z * (1 - q * q)) ** 2) ** 2;
    assert.ok(t > expected["multi-region"].a / LB);
  });
});

describe("contract: as-written is the spec unchanged; the plan's N+2 and zone-loss sizing derives the other rows", () => {
  it("k = 3 over 2 x 1 instances: as-written 2 instances, availability 0; the variants scale up", () => {
    const r = plan(`name: T
platform: { regions: { r1: [a, b, c], r2: [d, e] } }
services:
  s: { zones: [a, b], instances: 1, capacity: 100, load: 300, ${OK_SERVICE} }
journeys:
  j: { entry: s }
costs: { currency: USD, instance: 10, downtime: 1 }
`);
    const [written, single, multiZone, multiRegion] = r.costs.alternatives;
    assert.deepEqual([written!.instances, written!.availability, written!.downtimeCostPerYear], [2, 0, 8766]);
    assert.equal(single!.instances, 5); // [a] x max(1, ceil(5 / 1))
    close(single!.availability, R * Z * atLeastK(5, 3, I));
    assert.equal(multiZone!.instances, 6); // [a, b] x max(1, ceil(5 / 2)); one zone alone holds exactly 3
    close(multiZone!.availability, R * (Z * Z * atLeastK(6, 3, I) + 2 * Z * (1 - Z) * I ** 3));
    assert.equal(multiRegion!.instances, 8); // [a, b, d, e] x max(1, ceil(5 / 4))
    assert.equal(multiRegion!.monthly, 80);
  });
});

describe("contract: exact or sampled", () => {
  const zones = (n: number) => Array.from({ length: n }, (_, i) => `z${i + 1}`).join(", ");
  // A low failure model keeps the estimate away from 1, so the interval is informative.
  const spec = (n: number) => `name: MC
platform:
  regions: { r1: [${zones(n)}] }
  availability: { region: 90%, zone: 90%, instance: 90% }
services:
  s: { zones: [${zones(n)}], instances: 1, capacity: 100, load: 300, ${OK_SERVICE} }
journeys:
  j: { entry: s }
`;
  // k = 3 of n single instances, each up with Z I = 0.81 given the region: R x P(Bin(n, 0.81) >= 3)
  const exact = (n: number) => 0.9 * atLeastK(n, 3, 0.81);

  it("20 zones: exact", () => {
    const j = journey(plan(spec(20)), "j");
    assert.equal(j.method, "exact");
    close(j.availability, exact(20), 1e-12);
  });

  it("21 zones: Monte Carlo with method, samples and ci95 holding the exact figure; seeded", () => {
    const a = journey(plan(spec(21), { samples: 20_000, seed: 7 }), "j");
    assert.equal(a.method, "monte-carlo");
    assert.equal(a.samples, 20_000);
    const [low, high] = a.ci95!;
    assert.ok(low <= a.availability && a.availability <= high);
    assert.ok(low <= exact(21) && exact(21) <= high, `${exact(21)} outside [${low}, ${high}]`);
    assert.ok(high - low < 0.02); // about 4 x sqrt(0.09 / 20,000) = 0.0085
    const again = journey(plan(spec(21), { samples: 20_000, seed: 7 }), "j");
    assert.equal(again.availability, a.availability);
    const other = journey(plan(spec(21), { samples: 20_000, seed: 8 }), "j");
    assert.notEqual(other.availability, a.availability);
  });

  it("--samples and --seed reach the CLI's JSON (default seed 1)", async () => {
    await withSpecFile(spec(21), async (path) => {
      const run = async (...extra: string[]) => {
        const { status, out } = await nines(
          "plan",
          path,
          "--json",
          "--as-of",
          "2026-11-29",
          "--samples",
          "5000",
          ...extra,
        );
        assert.notEqual(status, 2, out);
        return (
          JSON.parse(out) as { journeys: { method: string; samples: number; availability: number; ci95: number[] }[] }
        ).journeys[0]!;
      };
      const seeded = await run("--seed", "3");
      assert.equal(seeded.method, "monte-carlo");
      assert.equal(seeded.samples, 5000);
      assert.equal(seeded.ci95.length, 2);
      assert.equal((await run("--seed", "3")).availability, seeded.availability);
      assert.equal((await run()).availability, (await run("--seed", "1")).availability);
    });
  });
});

describe("contract: store nodes in the monthly cost", () => {
  const monthly = (store: string) =>
    plan(`name: T
platform: { regions: { r1: [a, b, c] } }
edge:
  lb: { engine: global-http-lb, cost: 7 }
services:
  s: { zones: [a], instances: 1, capacity: 100, load: 50, ${OK_SERVICE}, calls: { db: {} } }
stores:
  db: ${store}
journeys:
  j: { entry: s }
costs: { currency: USD, instance: 100, downtime: 1 }
`).costs.alternatives[0]!.monthly;
  // 1 instance x 100 + lb 7, plus:
  it("cloud-sql without a replica is one self-managed node", () => {
    assert.equal(monthly("{ engine: cloud-sql, zone: a }"), 100 + 7 + 100);
  });
  it("cloud-sql HA is managed: its cost only", () => {
    assert.equal(
      monthly("{ engine: cloud-sql, zone: a, replica: { zone: b, sync: true, failover: 1m }, cost: 30 }"),
      100 + 7 + 30,
    );
  });
  it("a self-managed engine with primary and replica: two nodes plus its cost", () => {
    assert.equal(
      monthly(
        "{ engine: cockroach, managed: false, zone: a, replica: { zone: b, sync: true, failover: 1m }, cost: 5 }",
      ),
      100 + 7 + 200 + 5,
    );
  });
  it("an explicit sla on postgres changes its availability, not who runs its node", () => {
    assert.equal(monthly("{ engine: postgres, zone: a, sla: 99.9% }"), 100 + 7 + 100);
  });
});
