import type { Component, Service, Store } from "../../model.js";
import type { Finding } from "../../result.js";
import { neededInstances } from "../availability/component-model.js";
import { serviceStandbyZones, serviceZones, standbyZone } from "../topology/standby.js";
import type { Topology } from "../topology/topology.js";
import { finding } from "./findings.js";
import { plural } from "./format.js";

/** The failure-domain level at which a component is a single point of failure. */
export type SpofLevel = "instance" | "node" | "zone" | "region";

export interface Spof {
  level: SpofLevel;
  /** The domains whose loss alone takes the component down. */
  domains: string[];
  /** What to change. */
  change: string;
}

/**
 * Finds the smallest failure domain whose loss alone (all else up) takes a
 * component down, in the model's meaning (docs/planner-model.md, "spof"): one instance,
 * one store node, one zone (when the platform declares more than one), one
 * region (when it declares more than one). Managed components are never a
 * spof, except a regional placement (a `location` naming a region, or
 * `cloud-sql` with primary and replica in one region) whose region is one.
 *
 * @example
 * findSpof(topology, topology.component("analytics")); // { level: "instance", ... }
 */
export function findSpof(topology: Topology, component: Component): Spof | null {
  if (component.kind === "service") return serviceSpof(topology, component);
  if (component.kind === "store") return storeSpof(topology, component);
  // Edge components are managed: only a regional placement can fail with its region.
  if (topology.regions.length > 1 && topology.regions.includes(component.location)) {
    return {
      level: "region",
      domains: [component.location],
      change: `use a global or multi-region ${component.engine} instead of one placed in ${component.location}`,
    };
  }
  return null;
}

function serviceSpof(topology: Topology, service: Service): Spof | null {
  const k = neededInstances(service);
  // A hot standby is more instances in another region's zones (serviceZones); a cold one counts for nothing.
  const zones = serviceZones(topology, service);
  const total = zones.length * service.instances;
  if (total - 1 < k) {
    const perZone = Math.ceil((k + 1) / zones.length);
    return {
      level: "instance",
      domains: zones.map((z) => `instance in ${z}`),
      change:
        perZone - service.instances === 1
          ? `add one instance per zone (it needs ${k} up and has ${plural(total, "instance")})`
          : `run ${plural(perZone, "instance")} per zone (it needs ${k} up and has ${plural(total, "instance")})`,
    };
  }
  if (topology.zoneCount > 1) {
    // Every zone holds the same number of instances, so the loss of any one leaves the same count.
    const left = (zone: string) => zones.filter((z) => z !== zone).length * service.instances;
    const failing = zones.filter((zone) => left(zone) < k);
    if (failing.length > 0) {
      const change =
        zones.length === 1
          ? `run it in a second zone too (zones: [${zones[0]}, ...]) with ${plural(k, "instance")} per zone`
          : `run ${plural(Math.ceil(k / (zones.length - 1)), "instance")} per zone so that the other zones carry the load`;
      return { level: "zone", domains: failing, change };
    }
  }
  if (topology.regions.length > 1) {
    const failing = topology.regions.filter((region) => {
      const outside = zones.filter((z) => topology.regionOfZone(z) !== region).length;
      return zones.some((z) => topology.regionOfZone(z) === region) && outside * service.instances < k;
    });
    if (failing.length > 0) {
      return {
        level: "region",
        domains: failing,
        change: `run it in a second region too with enough instances to carry the load (${plural(k, "instance")} there)${serviceStandbyAdvice(topology, service, k)}`,
      };
    }
  }
  return null;
}

function storeSpof(topology: Topology, store: Store): Spof | null {
  // A hot standby with data to serve is one more node, in another region.
  if (standbyZone(topology, store) !== null) return null;
  const multiRegion = topology.regions.length > 1;
  const toOtherRegion = `put a replica or a hot standby in another region${standbyAdvice(store)}`;
  if (store.managed) {
    const regional = store.location !== null && topology.regions.includes(store.location);
    if (regional && multiRegion) {
      return {
        level: "region",
        domains: [store.location!],
        change: `use a dual-region or multi-region location for ${store.engine} (location: multi-region), or keep a hot standby in another region${standbyAdvice(store)}`,
      };
    }
    if (store.engine === "cloud-sql" && store.zone !== null && multiRegion) {
      // HA cloud-sql keeps primary and replica in one region.
      return { level: "region", domains: [topology.regionOfZone(store.zone)], change: toOtherRegion };
    }
    return null;
  }
  if (store.zone === null) return null;
  if (store.replica === null) {
    return {
      level: "node",
      domains: [`primary node in ${store.zone}`],
      change: `add a replica in another zone (replica: { zone: ..., sync: true, failover: 60s })`,
    };
  }
  if (multiRegion) {
    const region = topology.regionOfZone(store.zone);
    if (topology.regionOfZone(store.replica.zone) === region) {
      return { level: "region", domains: [region], change: toOtherRegion };
    }
  }
  return null;
}

/** What to change about a service's standby when its region is still a spof. */
function serviceStandbyAdvice(topology: Topology, service: Service, k: number): string {
  const standby = service.standby;
  if (standby === null) return ", or keep a hot standby there (standby: { kind: hot, region: ... })";
  if (standby.kind === "cold") {
    return ` (its standby in ${standby.region} is cold: it must be provisioned and started first; make it kind: hot)`;
  }
  const running = serviceStandbyZones(topology, service).length * service.instances;
  return ` (its hot standby in ${standby.region} runs ${plural(running, "instance")}, fewer than the ${k} it needs)`;
}

/** What to change about a standby the store has that does not count yet. */
function standbyAdvice(store: Store): string {
  const standby = store.standby;
  if (standby === null) return " (standby: { kind: hot, region: ... }, with backups kept outside this region)";
  if (standby.kind === "cold") {
    return ` (its standby in ${standby.region} is cold: it must be provisioned and restored first; make it kind: hot)`;
  }
  return ` (its hot standby in ${standby.region} has no data to serve after this region is lost: keep backups, the log or a replica outside the region)`;
}

/**
 * `spof` findings for the components of the journeys, each component once:
 * error, or warning when the smallest failing domain is a region.
 *
 * @example
 * spofFindings(topology, ["lb", "web", "orders-db"]).map((f) => f.subject); // ["orders-db"]
 */
export function spofFindings(topology: Topology, components: string[]): Finding[] {
  const out: Finding[] = [];
  for (const name of components) {
    const spof = findSpof(topology, topology.component(name));
    if (spof === null) continue;
    const what =
      spof.level === "instance"
        ? "one instance"
        : spof.level === "node"
          ? "its one node"
          : `one ${spof.level} (${spof.domains.join(" or ")})`;
    out.push(
      finding(
        "spof",
        spof.level === "region" ? "warning" : "error",
        name,
        `${name} is a single point of failure: losing ${what} alone takes it down: ${spof.change}`,
        { level: spof.level, domains: spof.domains },
      ),
    );
  }
  return out;
}
