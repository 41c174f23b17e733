import type { Spec } from "../../model.js";
import { storeMechanisms } from "../dr/store-mechanisms.js";
import { serviceZones, standbyZone } from "./standby.js";
import { Topology } from "./topology.js";

/** A store's hot standby as the plan counts it: one more node of the store. */
export interface CountedStandby {
  /** The zone it stands in (the first of its region holding no other node of the store). */
  zone: string;
  /** The time to switch to it after the store's region is lost: the fastest recovery the plan finds for that loss. */
  switchMs: number;
}

/** Where the plan counts each component's instances and nodes (see {@link countedZones}). */
export interface CountedZones {
  /** Each service's zones, `instances` in each: the written ones, then its hot standby's. */
  services: ReadonlyMap<string, readonly string[]>;
  /** Each store whose hot standby counts, by name (a cold one, or one with no data to serve, is absent). */
  storeStandbys: ReadonlyMap<string, CountedStandby>;
}

/**
 * The zones in which the plan counts each service's instances and each
 * store's hot standby (docs/planner-model.md, "Standbys"), for tools that
 * model the same deployment in time (the simulator's `year`), so that they
 * count exactly what the plan counts.
 *
 * @example
 * const counted = countedZones(spec);
 * counted.services.get("web");         // ["us-central1-a", "us-central1-b", "europe-west2-a", "europe-west2-b"]
 * counted.storeStandbys.get("orders"); // { zone: "europe-west2-a", switchMs: 1800000 }
 */
export function countedZones(spec: Spec): CountedZones {
  const topology = new Topology(spec);
  const services = new Map<string, readonly string[]>();
  for (const service of spec.services) services.set(service.name, serviceZones(topology, service));
  const storeStandbys = new Map<string, CountedStandby>();
  for (const store of spec.stores) {
    const zone = standbyZone(topology, store);
    if (zone === null) continue;
    const recoveries = storeMechanisms(topology, store, "region-outage").map((mechanism) => mechanism.rtoMs);
    storeStandbys.set(store.name, { zone, switchMs: Math.min(...recoveries) });
  }
  return { services, storeStandbys };
}
