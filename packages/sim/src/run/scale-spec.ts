import { requireOption } from "@nines/core";
import type { Spec } from "@nines/planner";

/**
 * A spec at `nines drill`'s scale: every load and capacity (and a
 * requests-per-second autoscale target) divided by `scale`, so that the
 * ratios the plan reports (load / capacity, zone-loss overload) hold at
 * the small scale, and every start-up time divided by `timeScale`, as
 * `nines drill --scale K --time-scale T` runs the system. Simulating the
 * scaled spec gives figures to set beside the drill's measurements.
 * Store recovery times are real ones in a drill (a local PostgreSQL
 * standby is promoted in well under a second, where the spec may give a
 * managed service's minute): `storeFailoverMs` sets every replica's
 * failover time to the drill's.
 *
 * @example
 * const small = scaleSpec(spec, { scale: 20, timeScale: 10 }); // web: load 100, capacity 25, startup 1.5 s
 */
export function scaleSpec(spec: Spec, options: { scale: number; timeScale: number; storeFailoverMs?: number }): Spec {
  const { scale, timeScale, storeFailoverMs } = options;
  requireOption(scale >= 1, "scaleSpec", "scale", scale, ">= 1");
  requireOption(timeScale >= 1, "scaleSpec", "timeScale", timeScale, ">= 1");
  requireOption(
    storeFailoverMs === undefined || storeFailoverMs >= 0,
    "scaleSpec",
    "storeFailoverMs",
    storeFailoverMs,
    ">= 0",
  );
  return {
    ...spec,
    stores:
      storeFailoverMs === undefined
        ? spec.stores
        : spec.stores.map((store) =>
            store.replica === null ? store : { ...store, replica: { ...store.replica, failoverMs: storeFailoverMs } },
          ),
    services: spec.services.map((service) => ({
      ...service,
      load: service.load / scale,
      capacity: service.capacity / scale,
      startupMs: service.startupMs === null ? null : service.startupMs / timeScale,
      autoscale:
        service.autoscale === null
          ? null
          : {
              ...service.autoscale,
              target:
                service.autoscale.metric === "requests-per-second"
                  ? service.autoscale.target / scale
                  : service.autoscale.target,
            },
    })),
  };
}
