import { requireOption } from "@nines/core";
import type { Spec } from "../../model.js";
import { Topology } from "../topology/topology.js";
import { type ComponentModel, componentModel } from "./component-model.js";
import { estimateAvailability, failureDomains } from "./estimate.js";

/** The failure domains a scenario takes down: zones and whole regions (every zone of a region). */
export interface DownDomains {
  zones?: readonly string[];
  regions?: readonly string[];
}

/** Availability of each journey and component while the given domains are down. */
export interface AvailabilityWithDown {
  /** The zones counted down (the given ones and those of the given regions), in spec order. */
  down: string[];
  journeys: { name: string; availability: number }[];
  components: { name: string; availability: number }[];
}

/**
 * The planner's availability model with some failure domains known to be
 * down: every other zone and region still fails with the spec's figures.
 * A placed component's figure depends only on how many of its zones are up,
 * so a zone known to be down is taken out of its zones and the table kept
 * for the count of the others (`table[m]`, m up among the rest); a
 * capacity-aware service whose remaining instances cannot carry the load is
 * down (its table is 0 there). A managed component located in a lost region
 * is down; one located in several regions, or globally, is not.
 *
 * What a drill compares with: "availability during the fault" of a zone or
 * region loss.
 *
 * @example
 * const { journeys } = availabilityWithDown(spec, { zones: ["us-central1-a"] });
 * journeys[0]?.availability; // 0 for ClickTravel: inventory needs 3 instances and 2 remain
 */
export function availabilityWithDown(spec: Spec, down: DownDomains): AvailabilityWithDown {
  const topology = new Topology(spec);
  const lostRegions = new Set(down.regions ?? []);
  for (const region of lostRegions) {
    requireOption(topology.regions.includes(region), "availabilityWithDown", "regions", region, "a declared region");
  }
  for (const zone of down.zones ?? []) {
    requireOption(topology.zones.includes(zone), "availabilityWithDown", "zones", zone, "a declared zone");
  }
  const downZones = new Set(
    topology.zones.filter((z) => (down.zones ?? []).includes(z) || lostRegions.has(topology.regionOfZone(z))),
  );
  const downIndices = new Set([...downZones].map((z) => topology.zoneIndex(z)));
  const domains = failureDomains(topology);
  const model = (name: string): ComponentModel => {
    const component = topology.component(name);
    const m = componentModel(topology, component);
    const location = component.kind === "service" ? null : component.location;
    const constant = location !== null && lostRegions.has(location) ? 0 : m.constant;
    if (m.placed === null) return { ...m, constant };
    const zones = m.placed.zones.filter((z) => !downIndices.has(z));
    return { ...m, constant, placed: { zones, table: m.placed.table.slice(0, zones.length + 1) } };
  };
  const figure = (names: string[]) =>
    estimateAvailability(names.map(model), domains, { exactWhenSingleFactor: true }).availability;
  return {
    down: [...downZones],
    journeys: spec.journeys.map((j) => ({ name: j.name, availability: figure(topology.journeyComponents(j)) })),
    components: [...spec.edge, ...spec.services, ...spec.stores].map((c) => ({
      name: c.name,
      availability: figure([c.name]),
    })),
  };
}
