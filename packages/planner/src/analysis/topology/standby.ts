import type { Service, Store } from "../../model.js";
import { storeMechanisms } from "../dr/store-mechanisms.js";
import type { Topology } from "./topology.js";

/**
 * Where a store's standby counts as one of its nodes, or null when it does
 * not count. A hot standby in another region counts (in availability and
 * in the spof rule, as a replica does: the time to switch to it is in the
 * RTO, not the availability) when the store can be recovered after the
 * loss of its region, that is when some copy (backups, log, replication,
 * a replica, a spread location, or a rebuild) survives it: a standby with
 * no data to serve keeps nothing up. It stands in the first zone of its
 * region that holds no other node of the store (the diagram draws it
 * there); when every zone there holds one, it is not counted. A cold
 * standby never counts: it must be provisioned first.
 *
 * @example
 * standbyZone(topology, ordersDb); // "europe-west2-a" for a hot standby in europe-west2
 */
export function standbyZone(topology: Topology, store: Store): string | null {
  const standby = store.standby;
  if (standby === null || standby.kind !== "hot") return null;
  if (storeMechanisms(topology, store, "region-outage").length === 0) return null;
  const taken = new Set([store.zone, store.replica?.zone]);
  const region = topology.spec.platform.regions.find((r) => r.name === standby.region);
  return region?.zones.find((z) => !taken.has(z)) ?? null;
}

/**
 * Where a service's hot standby runs, as instances of the service: a copy
 * of the written deployment (`instances` per zone) in as many zones of the
 * standby's region as the service is written in (all of them when the
 * region has fewer), so that it carries the load when the written
 * deployment does. It counts in availability and in the spof rule as those
 * instances do (as for a store's standby, the time to switch to it is in
 * the RTO, not the availability). A cold standby, or none: no zones.
 *
 * @example
 * serviceStandbyZones(topology, web); // ["europe-west2-a", "europe-west2-b", "europe-west2-c"] for a hot standby in europe-west2
 */
export function serviceStandbyZones(topology: Topology, service: Service): string[] {
  const standby = service.standby;
  if (standby === null || standby.kind !== "hot") return [];
  const own = new Set(service.zones);
  const region = topology.spec.platform.regions.find((r) => r.name === standby.region);
  return (region?.zones ?? []).filter((z) => !own.has(z)).slice(0, own.size);
}

/**
 * The zones a service's instances run in, `instances` in each: the written
 * ones, then its hot standby's (see {@link serviceStandbyZones}).
 *
 * @example
 * serviceZones(topology, web); // ["us-central1-a", "us-central1-b", "europe-west2-a", "europe-west2-b"]
 */
export function serviceZones(topology: Topology, service: Service): string[] {
  return [...new Set(service.zones), ...serviceStandbyZones(topology, service)];
}
