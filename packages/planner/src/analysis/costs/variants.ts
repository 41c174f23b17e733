import type { Service, Spec } from "../../model.js";
import type { CostAlternative } from "../../result.js";
import { componentModel, neededInstances } from "../availability/component-model.js";
import { HOURS_PER_YEAR } from "../availability/downtime.js";
import { type EstimateOptions, estimateAvailability, failureDomains } from "../availability/estimate.js";
import { Topology } from "../topology/topology.js";

export type VariantName = CostAlternative["name"];

/**
 * The spec with its services redeployed as a risk/cost variant (docs/planner-model.md,
 * "Risk/cost variants"); stores and edge are kept as written.
 * - `single-zone`: each service in its first zone;
 * - `multi-zone`: its zones in its first zone's region, at least two (the
 *   region's other zones added in declaration order while it has fewer);
 * - `multi-region`: the multi-zone set plus as many zones (or all there
 *   are) in every other declared region, its own zones there first.
 * In the derived variants, instances per zone are sized as a design the
 * plan accepts, the sizing its capacity rules recommend: max(instances,
 * ceil((k + 2) / zones)) for N+2 (one instance out for an upgrade and one
 * failed), and in two zones or more at least ceil(load / ((zones - 1) x
 * capacity)) so that losing a zone leaves enough (`zone-loss-overload`). A
 * variant is never sized to exactly the load, which would make it look
 * less available than a design with spare.
 *
 * @example
 * variantSpec(spec, "single-zone").services[0]?.zones; // ["us-central1-a"]
 */
export function variantSpec(spec: Spec, name: VariantName): Spec {
  if (name === "as-written") return spec;
  const topology = new Topology(spec);
  const services = spec.services.map((s): Service => {
    const zones = variantZones(topology, s, name);
    return { ...s, zones, instances: variantInstances(s, zones.length) };
  });
  return { ...spec, services };
}

/**
 * Instances per zone of a derived variant in `zones` zones: the N+2 and
 * zone-loss sizing the plan's capacity rules recommend, never fewer than
 * written.
 *
 * @example
 * variantInstances({ instances: 2, load: 2000, capacity: 500 }, 2); // 4: k = 4, N+2 needs 3, a zone loss 4
 */
export function variantInstances(service: Pick<Service, "instances" | "load" | "capacity">, zones: number): number {
  const nPlusTwo = Math.ceil((neededInstances(service) + 2) / zones);
  const zoneLoss = zones >= 2 ? Math.ceil(service.load / ((zones - 1) * service.capacity)) : 0;
  return Math.max(service.instances, nPlusTwo, zoneLoss);
}

function variantZones(topology: Topology, service: Service, name: Exclude<VariantName, "as-written">): string[] {
  const first = service.zones[0]!;
  if (name === "single-zone") return [first];
  const pick = (region: string, count: number): string[] => {
    const declared = topology.spec.platform.regions.find((r) => r.name === region)?.zones ?? [];
    const own = service.zones.filter((z) => topology.regionOfZone(z) === region);
    const ordered = [...own, ...declared.filter((z) => !own.includes(z))];
    return ordered.slice(0, count);
  };
  const home = topology.regionOfZone(first);
  const own = service.zones.filter((z) => topology.regionOfZone(z) === home).length;
  const multiZone = pick(home, Math.max(2, own));
  if (name === "multi-zone") return multiZone;
  const others = topology.regions.filter((r) => r !== home).flatMap((r) => pick(r, multiZone.length));
  return [...multiZone, ...others];
}

/**
 * Monthly cost of a spec (docs/planner-model.md): instances x `costs.instance` +
 * self-managed store nodes (primary and replica) x `costs.instance` + the
 * `cost` of stores and edge components. A service with its own `cost`
 * counts that, scaled by its instances against the spec as written.
 *
 * @example
 * monthlyCost(variantSpec(spec, "multi-zone"), spec).monthly;
 */
export function monthlyCost(spec: Spec, written: Spec = spec): { monthly: number; instances: number } {
  let monthly = 0;
  let instances = 0;
  spec.services.forEach((s, i) => {
    const n = new Set(s.zones).size * s.instances;
    instances += n;
    const original = written.services[i];
    if (s.cost !== null && original !== undefined) {
      const writtenN = new Set(original.zones).size * original.instances;
      monthly += (s.cost * n) / writtenN;
    } else {
      monthly += n * spec.costs.instance;
    }
  });
  for (const store of spec.stores) {
    // Placed nodes are ours to run even with an explicit `sla` (it only replaces the availability);
    // cloud-sql HA is the one placed engine the catalog runs for us.
    const runByCatalog = store.engine === "cloud-sql" && store.replica !== null;
    if (store.zone !== null && !runByCatalog) monthly += (store.replica === null ? 1 : 2) * spec.costs.instance;
    monthly += store.cost;
  }
  for (const e of spec.edge) monthly += e.cost;
  return { monthly, instances };
}

/**
 * True when the spec gives any money: an instance or downtime cost, or a
 * `cost` on a service, store or edge component. Without one every cost is
 * 0 and no row is cheaper than another.
 *
 * @example
 * hasCosts(spec); // false for a spec without costs
 */
export function hasCosts(spec: Spec): boolean {
  return (
    spec.costs.instance > 0 ||
    spec.costs.downtimePerHour > 0 ||
    spec.services.some((s) => s.cost !== null && s.cost > 0) ||
    spec.stores.some((s) => s.cost > 0) ||
    spec.edge.some((e) => e.cost > 0)
  );
}

/**
 * The risk/cost table: as written, single-zone, multi-zone and
 * multi-region, each with its monthly cost, availability (the lowest
 * journey availability; the lowest component figure when there is no
 * journey) and expected yearly downtime cost (1 - availability) x 8,766 h x
 * `costs.downtime`; the row with the smallest 12 x monthly + downtime cost
 * is marked cheapest (the first such row on a tie). Without any cost in
 * the spec (see {@link hasCosts}) no row is marked.
 *
 * @example
 * costAlternatives(spec).find((a) => a.cheapest)?.name; // "multi-zone"
 */
export function costAlternatives(
  spec: Spec,
  options: EstimateOptions = {},
  /** The spec's own lowest availability when the caller has it already (saves recomputing it). */
  asWritten?: { availability: number; method: "exact" | "monte-carlo" },
): CostAlternative[] {
  const names: VariantName[] = ["as-written", "single-zone", "multi-zone", "multi-region"];
  const rows = names.map((name): CostAlternative & { totalPerYear: number } => {
    const variant = variantSpec(spec, name);
    const { monthly, instances } = monthlyCost(variant, spec);
    const { availability, method } =
      name === "as-written" && asWritten !== undefined ? asWritten : lowestAvailability(variant, options);
    const downtimeCostPerYear = (1 - availability) * HOURS_PER_YEAR * spec.costs.downtimePerHour;
    return {
      name,
      monthly,
      availability,
      downtimeCostPerYear,
      cheapest: false,
      instances,
      totalPerYear: 12 * monthly + downtimeCostPerYear,
      method,
    };
  });
  if (!hasCosts(spec)) return rows;
  let best = rows[0]!;
  for (const row of rows) if (row.totalPerYear < best.totalPerYear) best = row;
  best.cheapest = true;
  return rows;
}

function lowestAvailability(
  spec: Spec,
  options: EstimateOptions,
): { availability: number; method: "exact" | "monte-carlo" } {
  const topology = new Topology(spec);
  const domains = failureDomains(topology);
  const model = (name: string) => componentModel(topology, topology.component(name));
  const sets =
    spec.journeys.length > 0
      ? spec.journeys.map((j) => ({ models: topology.journeyComponents(j).map(model), single: false }))
      : [...spec.edge, ...spec.services, ...spec.stores].map((c) => ({ models: [model(c.name)], single: true }));
  let lowest: { availability: number; method: "exact" | "monte-carlo" } = { availability: 1, method: "exact" };
  for (const set of sets) {
    const e = estimateAvailability(set.models, domains, { ...options, exactWhenSingleFactor: set.single });
    if (e.availability < lowest.availability) lowest = { availability: e.availability, method: e.method };
  }
  return lowest;
}
