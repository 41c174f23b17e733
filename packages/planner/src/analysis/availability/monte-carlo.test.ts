import assert from "node:assert/strict";
import { test } from "node:test";
import { isNinesError, SeededRandom } from "@nines/core";
import { buildSpec, type ServiceInput } from "../../../test/support/build-spec.js";
import { clicktravelSpec } from "../../../test/support/clicktravel.js";
import { Topology } from "../topology/topology.js";
import { componentModel } from "./component-model.js";
import { estimateAvailability, failureDomains, MAX_EXACT_ZONES } from "./estimate.js";
import { exactAvailability } from "./exact.js";
import { sampleAvailability } from "./monte-carlo.js";

function inside(value: number, ci: [number, number] | undefined): void {
  assert.ok(ci !== undefined, "a sampled estimate has a ci95");
  assert.ok(ci[0] <= value && value <= ci[1], `${value} outside [${ci[0]}, ${ci[1]}]`);
}

test("exact and Monte Carlo agree on ClickTravel's journey (forced sampling)", () => {
  const topology = new Topology(clicktravelSpec());
  const models = topology
    .journeyComponents(topology.spec.journeys[0]!)
    .map((n) => componentModel(topology, topology.component(n)));
  const domains = failureDomains(topology);
  const exact = estimateAvailability(models, domains);
  const sampled = estimateAvailability(models, domains, { method: "monte-carlo", samples: 400_000, seed: 7 });
  assert.equal(exact.method, "exact");
  assert.equal(sampled.method, "monte-carlo");
  assert.equal(sampled.samples, 400_000);
  inside(exact.availability, sampled.ci95);
  assert.ok(sampled.ci95![1] - sampled.ci95![0] < 1e-3, "the interval is narrow");
});

/** 4 regions of 5 or 6 zones (22 in all): one service per region over its zones, plus one per zone. */
function wideSpec() {
  const regions: Record<string, string[]> = {};
  const services: ServiceInput[] = [];
  const calls: { target: string }[] = [];
  [5, 5, 6, 6].forEach((count, r) => {
    const zones = Array.from({ length: count }, (_, z) => `r${r}-${z}`);
    regions[`r${r}`] = zones;
    services.push({ name: `svc-r${r}`, zones, instances: 1, capacity: 100, load: 280 });
    calls.push({ target: `svc-r${r}` });
    for (const z of zones.slice(0, 2)) {
      services.push({ name: `one-${z}`, zones: [z, zones[2]!], instances: 1, capacity: 100, load: 100 });
      calls.push({ target: `one-${z}` });
    }
  });
  // The entry spans a zone of every region, so the journey uses all 22 zones.
  const entryZones = Object.values(regions).map((zs) => zs[0]!);
  services.unshift({ name: "entry", zones: entryZones, instances: 2, capacity: 100, load: 300, calls });
  return buildSpec({ regions, services, journeys: [{ name: "all", entry: "entry" }] });
}

test("above 20 zones a journey is sampled, and the estimate holds the exact value", () => {
  const topology = new Topology(wideSpec());
  const models = topology
    .journeyComponents(topology.spec.journeys[0]!)
    .map((n) => componentModel(topology, topology.component(n)));
  const domains = failureDomains(topology);
  const auto = estimateAvailability(models, domains, { samples: 300_000 });
  assert.equal(auto.zones.length, 22);
  assert.ok(auto.zones.length > MAX_EXACT_ZONES);
  assert.equal(auto.method, "monte-carlo");
  // Exact over 22 zones by brute force (2^22 states) is what sampling avoids;
  // it still runs here because it is one enumeration of ~4M states.
  const exact = exactAvailability(
    models.flatMap((m) => (m.placed === null ? [] : [m.placed])),
    domains,
  );
  inside(exact.availability, auto.ci95);
});

test("sampling is deterministic for a seed and its interval shrinks with more samples", () => {
  const topology = new Topology(clicktravelSpec());
  const models = topology
    .journeyComponents(topology.spec.journeys[0]!)
    .map((n) => componentModel(topology, topology.component(n)));
  const domains = failureDomains(topology);
  const placed = models.flatMap((m) => (m.placed === null ? [] : [m.placed]));
  const a = sampleAvailability(placed, domains, 50_000, new SeededRandom(3));
  const b = sampleAvailability(placed, domains, 50_000, new SeededRandom(3));
  assert.deepEqual(a, b);
  const c = sampleAvailability(placed, domains, 800_000, new SeededRandom(3));
  assert.ok(c.ci95[1] - c.ci95[0] < (a.ci95[1] - a.ci95[0]) / 2);
});

test("sampled region and zone failures have the configured rates (geometric gaps)", () => {
  // One service in one zone, 1 instance, instance always up: availability = R * Z.
  const spec = buildSpec({
    regions: { r1: ["a"] },
    availability: { region: 0.99, zone: 0.95, instance: 1 },
    services: [{ name: "x", zones: ["a"], instances: 1, capacity: 100, load: 50 }],
  });
  const topology = new Topology(spec);
  const m = componentModel(topology, topology.component("x"));
  const r = sampleAvailability([m.placed!], failureDomains(topology), 200_000, new SeededRandom(11));
  inside(0.99 * 0.95, r.ci95);
});

test("samples must be an integer >= 2", () => {
  const topology = new Topology(clicktravelSpec());
  const m = componentModel(topology, topology.component("web"));
  assert.throws(
    () => estimateAvailability([m], failureDomains(topology), { method: "monte-carlo", samples: 1 }),
    (e) => isNinesError(e, "NINES_OPTION_INVALID"),
  );
});
