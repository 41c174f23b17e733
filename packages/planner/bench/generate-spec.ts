import { SeededRandom } from "@nines/core";
import type { Spec } from "../src/model.js";
import { buildSpec, type ServiceInput, type StoreInput } from "../test/support/build-spec.js";

export interface GenerateOptions {
  services: number;
  regions: number;
  zonesPerRegion: number;
  /** Journeys; the first enters at the root and holds every service. */
  journeys?: number;
  seed?: number;
  /**
   * Every service carries its load with one zone left (k = 1): no single
   * zone loss takes a component down, so an exact enumeration cannot prune
   * and visits every zone state (the worst case for time).
   */
  tolerant?: boolean;
}

/**
 * A synthetic spec for benchmarks: `services` services in a call tree
 * (service i calls 2i+1 and 2i+2), each placed on 2 or 3 zones of one
 * region (every tenth on zones of two regions), one store per 20 services
 * (placed with a replica, or managed), and journeys entering the tree at
 * its root and at other nodes. The root runs in a zone of every region so
 * that the first journey uses every zone.
 */
export function generateSpec(options: GenerateOptions): Spec {
  const random = new SeededRandom(options.seed ?? 1);
  const regions: Record<string, string[]> = {};
  const zonesOf: string[][] = [];
  for (let r = 0; r < options.regions; r++) {
    const zones = Array.from({ length: options.zonesPerRegion }, (_, z) => `r${r}-z${z}`);
    regions[`r${r}`] = zones;
    zonesOf.push(zones);
  }
  const pick = (zones: string[], count: number): string[] => {
    const start = random.int(0, zones.length - 1);
    return Array.from({ length: Math.min(count, zones.length) }, (_, i) => zones[(start + i) % zones.length]!);
  };
  const stores: StoreInput[] = [];
  const services: ServiceInput[] = [];
  for (let i = 0; i < options.services; i++) {
    const region = random.int(0, options.regions - 1);
    let zones = pick(zonesOf[region]!, random.int(2, 3));
    if (i === 0) zones = zonesOf.flat();
    else if (i % 10 === 0) zones = [...zones, ...pick(zonesOf[(region + 1) % options.regions]!, 2)];
    const instances = random.int(2, 4);
    const capacity = 100;
    const load = options.tolerant
      ? random.int(10, capacity)
      : random.int(50, Math.max(60, (zones.length * instances - 2) * capacity));
    const calls = [2 * i + 1, 2 * i + 2]
      .filter((c) => c < options.services)
      .map((c) => ({
        target: `svc-${c}`,
        retries: c % 7 === 0 ? 2 : 0,
        backoff: "exponential" as const,
        jitter: true,
        breaker: true,
        optional: c % 11 === 0,
      }));
    if (i % 20 === 0) {
      const name = `db-${i}`;
      const home = zones[0]!;
      const managed = i % 40 === 0;
      stores.push(
        managed
          ? { name, engine: "spanner", managed: true, sla: 0.99999, location: "multi-region", cost: 500 }
          : {
              name,
              zone: home,
              replica: { zone: zones[1]!, sync: true, lagMs: 0, failoverMs: 60_000 },
              backups: {
                intervalMs: 86_400_000,
                at: { kind: "multi-region" },
                restoreMs: 1_800_000,
                tested: "2026-10-01",
              },
              userData: true,
            },
      );
      calls.push({ target: name, retries: 0, backoff: "exponential", jitter: true, breaker: true, optional: false });
    }
    services.push({ name: `svc-${i}`, zones, instances, capacity, load, calls });
  }
  const journeys = Array.from({ length: options.journeys ?? 1 }, (_, j) => ({
    name: `journey-${j}`,
    via: "lb",
    entry: `svc-${j === 0 ? 0 : Math.min(options.services - 1, j * 7)}`,
  }));
  return buildSpec({
    name: `generated-${options.services}x${options.regions * options.zonesPerRegion}`,
    regions,
    edge: [{ name: "lb" }],
    services,
    stores,
    journeys,
    disasters: stores.slice(0, 5).map((s) => ({ subject: s.name, kind: "crash", rpoMs: 0, rtoMs: 300_000 })),
  });
}

/**
 * The worst case for exact enumeration: `services` services, each on a
 * random half of all the zones with k = 1, called by one entry service.
 * Zone sets differ (nothing merges) and a component is down only when its
 * whole half is down (almost nothing prunes), so the enumeration visits
 * nearly every one of the 2^zones states.
 */
export function generateDenseSpec(services: number, regions: number, zonesPerRegion: number, seed = 3): Spec {
  const random = new SeededRandom(seed);
  const regionZones: Record<string, string[]> = {};
  const all: string[] = [];
  for (let r = 0; r < regions; r++) {
    const zones = Array.from({ length: zonesPerRegion }, (_, z) => `r${r}-z${z}`);
    regionZones[`r${r}`] = zones;
    all.push(...zones);
  }
  const half = Math.max(1, Math.floor(all.length / 2));
  const list: ServiceInput[] = Array.from({ length: services }, (_, i) => {
    const chosen = new Set<string>();
    while (chosen.size < half) chosen.add(all[random.int(0, all.length - 1)]!);
    return { name: `svc-${i}`, zones: [...chosen], instances: 1, capacity: 100, load: 50 };
  });
  list.unshift({
    name: "entry",
    zones: all,
    instances: 1,
    capacity: 100,
    load: 50,
    calls: list.map((s) => ({ target: s.name })),
  });
  return buildSpec({
    name: "dense",
    regions: regionZones,
    services: list,
    journeys: [{ name: "all", entry: "entry" }],
  });
}
