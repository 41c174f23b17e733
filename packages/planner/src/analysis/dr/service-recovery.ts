import type { DisasterKind, Service } from "../../model.js";
import { serviceStandbyZones } from "../topology/standby.js";
import type { Topology } from "../topology/topology.js";
import type { Mechanism } from "./mechanism.js";

/** What a scenario takes from a service: the capacity left and whether some zone survives. */
export interface ServiceLoss {
  /** What is lost, for messages: "one instance", "zone us-central1-a", "region europe-west2". */
  lost: string;
  /** Req/s the rest can take. */
  remaining: number;
  /** True when one of the service's zones survives. */
  zoneSurvives: boolean;
  /** The region lost (region outage), else null. */
  lostRegion: string | null;
}

/**
 * What a scenario takes (docs/planner-model.md): `crash` loses one instance, `zone-outage` the
 * service's worst zone, `region-outage` its worst region (the one holding
 * the most of its zones; file order breaks ties).
 *
 * @example
 * serviceLoss(topology, web, "zone-outage").remaining; // (zones - 1) x instances x capacity
 */
export function serviceLoss(topology: Topology, service: Service, kind: DisasterKind): ServiceLoss {
  const zones = [...new Set(service.zones)];
  const perInstance = service.capacity;
  const total = zones.length * service.instances;
  if (kind === "crash" || kind === "deletion") {
    return { lost: "one instance", remaining: (total - 1) * perInstance, zoneSurvives: true, lostRegion: null };
  }
  if (kind === "zone-outage") {
    return {
      lost: `zone ${zones[0]}`,
      remaining: (zones.length - 1) * service.instances * perInstance,
      zoneSurvives: zones.length > 1,
      lostRegion: null,
    };
  }
  let worst = "";
  let worstCount = -1;
  for (const region of topology.regions) {
    const count = zones.filter((z) => topology.regionOfZone(z) === region).length;
    if (count > worstCount) {
      worst = region;
      worstCount = count;
    }
  }
  const outside = zones.length - worstCount;
  return {
    lost: `region ${worst}`,
    remaining: outside * service.instances * perInstance,
    zoneSurvives: outside > 0,
    lostRegion: worst,
  };
}

/**
 * The mechanisms that recover a service scenario, in preference order
 * (docs/planner-model.md): `spare-capacity` (RTO 0) when the rest carries the load;
 * `restart` (RTO `startup`) when it autoheals or autoscales and one of its
 * zones survives; `standby` in another region (hot: 0 when the standby, a
 * copy of the deployment in that region's zones (`serviceStandbyZones`),
 * carries the load, else `startup`; cold:
 * `provision` + `startup`). RPO is always 0. A missing `startup` counts 0.
 *
 * @example
 * serviceMechanisms(topology, web, "zone-outage"); // [{ mechanism: "spare-capacity", rpoMs: 0, rtoMs: 0 }, ...]
 */
export function serviceMechanisms(topology: Topology, service: Service, kind: DisasterKind): Mechanism[] {
  if (kind === "deletion") return [];
  const loss = serviceLoss(topology, service, kind);
  const startupMs = service.startupMs ?? 0;
  const out: Mechanism[] = [];
  if (loss.remaining >= service.load) out.push({ mechanism: "spare-capacity", rpoMs: 0, rtoMs: 0 });
  if ((service.health.autoheal || service.autoscale !== null) && loss.zoneSurvives) {
    out.push({ mechanism: "restart", rpoMs: 0, rtoMs: startupMs });
  }
  const standby = service.standby;
  if (standby !== null && standby.region !== loss.lostRegion) {
    const standbyCapacity = serviceStandbyZones(topology, service).length * service.instances * service.capacity;
    const rtoMs =
      standby.kind === "hot" ? (standbyCapacity >= service.load ? 0 : startupMs) : standby.provisionMs + startupMs;
    out.push({ mechanism: "standby", rpoMs: 0, rtoMs });
  }
  return out;
}
