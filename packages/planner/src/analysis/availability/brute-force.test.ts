import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { buildSpec, type ServiceInput, type StoreInput } from "../../../test/support/build-spec.js";
import { analyze } from "../analyze.js";

// A reference for the model, written from spec.md's definitions only: every
// region, zone, instance and store node is its own up/down variable, and a
// journey is up when every component is up by definition. The planner's
// exact figure (binomials, merged factors, independent groups, pruning)
// must match it on small random specs.

const R = 0.99;
const Z = 0.95;
const I = 0.9;
const REGIONS: Record<string, string[]> = { r1: ["a", "b"], r2: ["c"] };
const ZONES = ["a", "b", "c"];
const regionOf = (z: string) => (z === "c" ? "r2" : "r1");

interface Case {
  services: { zones: string[]; instances: number; load: number }[];
  store: { zone: string; replica: string | null } | null;
}

function bruteForce(c: Case): number {
  // Variables: regions, zones, then one per instance and per store node.
  type Var = { p: number; parent: number | null };
  const vars: Var[] = [];
  const regionVar = new Map<string, number>();
  for (const r of Object.keys(REGIONS)) regionVar.set(r, vars.push({ p: R, parent: null }) - 1);
  const zoneVar = new Map<string, number>();
  for (const z of ZONES) zoneVar.set(z, vars.push({ p: Z, parent: regionVar.get(regionOf(z))! }) - 1);
  const instanceVars = c.services.map((s) =>
    s.zones.flatMap((z) => Array.from({ length: s.instances }, () => vars.push({ p: I, parent: zoneVar.get(z)! }) - 1)),
  );
  const nodeVars =
    c.store === null
      ? []
      : [c.store.zone, c.store.replica]
          .filter((z): z is string => z !== null)
          .map((z) => vars.push({ p: I, parent: zoneVar.get(z)! }) - 1);
  let total = 0;
  const up = new Array<boolean>(vars.length).fill(false);
  const walk = (i: number, p: number): void => {
    if (p === 0) return;
    if (i === vars.length) {
      const servicesUp = c.services.every((s, j) => {
        const k = Math.max(1, Math.ceil(s.load / 100));
        return instanceVars[j]!.filter((v) => up[v]).length >= k;
      });
      const storeUp = c.store === null || nodeVars.some((v) => up[v]);
      if (servicesUp && storeUp) total += p;
      return;
    }
    const v = vars[i]!;
    // A child of a down domain is down.
    const canBeUp = v.parent === null || up[v.parent]!;
    up[i] = false;
    walk(i + 1, canBeUp ? p * (1 - v.p) : p);
    if (canBeUp) {
      up[i] = true;
      walk(i + 1, p * v.p);
      up[i] = false;
    }
  };
  walk(0, 1);
  return total;
}

const zoneSet = fc.subarray(ZONES, { minLength: 1 });
const caseArb: fc.Arbitrary<Case> = fc.record({
  services: fc.array(
    fc.record({ zones: zoneSet, instances: fc.integer({ min: 1, max: 2 }), load: fc.integer({ min: 0, max: 350 }) }),
    { minLength: 1, maxLength: 3 },
  ),
  store: fc.option(
    fc.constantFrom(...ZONES).chain((zone) =>
      fc.record({
        zone: fc.constant(zone),
        replica: fc.option(fc.constantFrom(...ZONES.filter((z) => z !== zone)), { nil: null }),
      }),
    ),
    { nil: null },
  ),
});

test("the brute force itself gives the hand-written figures", () => {
  const one = bruteForce({ services: [{ zones: ["a"], instances: 2, load: 50 }], store: null });
  assert.ok(Math.abs(one - R * Z * (1 - (1 - I) ** 2)) < 1e-15);
  // a and c are in different regions: independent.
  const two = bruteForce({
    services: [
      { zones: ["a"], instances: 1, load: 50 },
      { zones: ["c"], instances: 1, load: 50 },
    ],
    store: null,
  });
  assert.ok(Math.abs(two - (R * Z * I) ** 2) < 1e-15);
});

test("exact journey availability equals a brute force over every region, zone, instance and node", () => {
  fc.assert(
    fc.property(caseArb, (c) => {
      const stores: StoreInput[] =
        c.store === null
          ? []
          : [
              {
                name: "db",
                zone: c.store.zone,
                replica:
                  c.store.replica === null ? null : { zone: c.store.replica, sync: true, lagMs: 0, failoverMs: 60_000 },
              },
            ];
      const services: ServiceInput[] = c.services.map((s, j) => ({
        name: `s${j}`,
        zones: s.zones,
        instances: s.instances,
        capacity: 100,
        load: s.load,
        calls:
          j === 0
            ? [
                ...c.services.slice(1).map((_, k) => ({ target: `s${k + 1}` })),
                ...stores.map((st) => ({ target: st.name })),
              ]
            : [],
      }));
      const spec = buildSpec({
        regions: REGIONS,
        availability: { region: R, zone: Z, instance: I },
        services,
        stores,
        journeys: [{ name: "j", entry: "s0" }],
      });
      const result = analyze(spec, { asOf: "2026-11-29" });
      const expected = bruteForce(c);
      assert.ok(
        Math.abs(result.journeys[0]!.availability - expected) < 1e-12,
        `${result.journeys[0]!.availability} != ${expected}`,
      );
    }),
    { numRuns: 60, seed: 20261129 },
  );
});

test("Monte Carlo agrees with the brute force on random specs (within twice the 95% half-width, i.e. ~4 sd)", () => {
  fc.assert(
    fc.property(caseArb, (c) => {
      const services: ServiceInput[] = c.services.map((s, j) => ({
        name: `s${j}`,
        zones: s.zones,
        instances: s.instances,
        capacity: 100,
        load: s.load,
        calls: j === 0 ? c.services.slice(1).map((_, k) => ({ target: `s${k + 1}` })) : [],
      }));
      const spec = buildSpec({
        regions: REGIONS,
        availability: { region: R, zone: Z, instance: I },
        services,
        journeys: [{ name: "j", entry: "s0" }],
      });
      const j = analyze(spec, { asOf: "2026-11-29", method: "monte-carlo", samples: 50_000 }).journeys[0]!;
      const expected = bruteForce({ ...c, store: null });
      const [low, high] = j.ci95!;
      const half = (high - low) / 2;
      assert.ok(Math.abs(j.availability - expected) <= 2 * half + 1e-12, `${expected} vs ${j.availability} +- ${half}`);
    }),
    { numRuns: 25, seed: 7 },
  );
});
