import type { Component, Service } from "../../model.js";
import { serviceZones, standbyZone } from "../topology/standby.js";
import type { Topology } from "../topology/topology.js";
import { atLeast } from "./binomial.js";

/**
 * How one component's availability depends on the failure domains: a
 * constant (managed, edge, explicit SLA) times, for placed components, a
 * figure that depends only on how many of its zones are up. That single
 * shape covers both placed kinds of docs/planner-model.md:
 * - a service with `instances` per zone needing k up: table[m] =
 *   P(Binomial(m x instances, I) >= k) when m of its zones are up (its
 *   hot standby's zones included, see `serviceZones`);
 * - a placed store (primary, optional replica and a hot standby that
 *   counts, in distinct zones): table[m] = 1 - (1 - I)^m when m of its
 *   nodes' zones are up;
 * - a managed store with a hot standby that counts (see `standbyZone`):
 *   up when its managed figure a holds or the standby node is up, so
 *   table = [a, 1 - (1 - a)(1 - I)] over the standby's zone.
 */
export interface ComponentModel {
  name: string;
  /** Independent factor (catalog figure or explicit SLA); 1 for placed components. */
  constant: number;
  /** Zone-dependent factor, null for managed components. */
  placed: PlacedFactor | null;
}

/** A figure that depends on the number of up zones among `zones`. */
export interface PlacedFactor {
  /** Global zone indices (see `Topology.zones`), distinct, ascending. */
  zones: number[];
  /** table[m] = conditional availability when m of `zones` are up (length zones.length + 1). */
  table: Float64Array;
}

/**
 * k = max(1, ceil(load / capacity)): instances a service needs up.
 *
 * @example
 * neededInstances({ load: 900, capacity: 400 }); // 3
 */
export function neededInstances(service: Pick<Service, "load" | "capacity">): number {
  return Math.max(1, Math.ceil(service.load / service.capacity));
}

/**
 * The model of one component.
 *
 * @example
 * const m = componentModel(topology, topology.component("web"));
 * m.placed?.table[2]; // P(at least k of 2 x instances up)
 */
export function componentModel(topology: Topology, component: Component): ComponentModel {
  const instance = topology.spec.platform.availability.instance;
  if (component.kind === "edge") return { name: component.name, constant: component.availability, placed: null };
  if (component.kind === "store") {
    const standby = standbyZone(topology, component);
    if (component.managed) {
      const a = component.sla ?? 1;
      if (standby === null) return { name: component.name, constant: a, placed: null };
      const table = Float64Array.of(a, 1 - (1 - a) * (1 - instance));
      return { name: component.name, constant: 1, placed: { zones: [topology.zoneIndex(standby)], table } };
    }
    const zones = [component.zone, component.replica?.zone, standby].filter((z): z is string => typeof z === "string");
    const indices = [...new Set(zones.map((z) => topology.zoneIndex(z)))].sort((a, b) => a - b);
    // Each node in an up zone is up with I; nodes are in distinct zones.
    const table = new Float64Array(indices.length + 1);
    for (let m = 0; m <= indices.length; m++) table[m] = 1 - (1 - instance) ** m;
    return { name: component.name, constant: 1, placed: { zones: indices, table } };
  }
  const k = neededInstances(component);
  const zones = serviceZones(topology, component);
  const indices = [...new Set(zones.map((z) => topology.zoneIndex(z)))].sort((a, b) => a - b);
  const table = new Float64Array(indices.length + 1);
  for (let m = 0; m <= indices.length; m++) table[m] = atLeast(m * component.instances, k, instance);
  return { name: component.name, constant: 1, placed: { zones: indices, table } };
}

/**
 * Merges components that use exactly the same zones into one factor (the
 * product of their tables) and multiplies the constants: fewer, larger
 * factors make both enumeration and sampling cheaper, and the result is
 * the same because such components see the same zone states.
 */
export function mergeModels(models: ComponentModel[]): { constant: number; factors: PlacedFactor[] } {
  let constant = 1;
  const byZones = new Map<string, PlacedFactor>();
  for (const m of models) {
    constant *= m.constant;
    if (m.placed === null) continue;
    const key = m.placed.zones.join(",");
    const existing = byZones.get(key);
    if (existing === undefined) {
      byZones.set(key, { zones: m.placed.zones, table: Float64Array.from(m.placed.table) });
    } else {
      for (let i = 0; i < existing.table.length; i++) existing.table[i] = existing.table[i]! * m.placed.table[i]!;
    }
  }
  return { constant, factors: [...byZones.values()] };
}
