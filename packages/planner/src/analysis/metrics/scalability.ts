import type { Service } from "../../model.js";
import type { ScalabilityResult } from "../../result.js";
import { neededInstances } from "../availability/component-model.js";
import { decimals3 } from "../rules/format.js";

/**
 * Scalability of one service, the course's third key metric: headroom at
 * peak = capacity x instances / load (null when the load is 0), and the
 * autoscaling limit against the load: `max` x capacity, its headroom, and
 * for a requests-per-second target the instances the autoscaler asks for
 * at peak, ceil(load / target).
 *
 * @example
 * scalability(web).headroom; // 4 x 500 / 2000 = 1
 */
export function scalability(service: Service): ScalabilityResult {
  const instances = new Set(service.zones).size * service.instances;
  const capacity = instances * service.capacity;
  const ratio = (c: number): number | null => (service.load === 0 ? null : decimals3(c / service.load));
  const a = service.autoscale;
  return {
    service: service.name,
    load: service.load,
    capacityPerInstance: service.capacity,
    instances,
    needed: neededInstances(service),
    capacity,
    headroom: ratio(capacity),
    autoscale:
      a === null
        ? null
        : {
            metric: a.metric,
            target: a.target,
            max: a.max,
            maxCapacity: a.max * service.capacity,
            headroomAtMax: ratio(a.max * service.capacity),
            instancesAtPeak:
              a.metric === "requests-per-second" && a.target > 0 ? Math.ceil(service.load / a.target) : null,
            coversLoad: a.max * service.capacity >= service.load,
          },
  };
}
