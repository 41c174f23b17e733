import type { Spec } from "@nines/planner";
import type { Scenario, ScenarioKind } from "./scenario.js";

/** What `nines simulate` may say about a scenario; the rest comes from the spec. */
export interface ScenarioParams {
  /** The zone, region, service or store the fault strikes. */
  target?: string;
  /** When the fault strikes, in ms from the start. */
  afterMs?: number;
  /** How long it lasts, in ms (null: to the end of the run). */
  durationMs?: number | null;
  /** Slowdown (latency-spike, retry-storm) or traffic multiplier (surge). */
  factor?: number;
  /** Share of requests that fail (error-burst), or crashes per instance per hour (instance-failures). */
  rate?: number;
}

/**
 * A scenario of the given kind with what the command line did not say
 * taken from the spec: the zone whose loss leaves the worst load /
 * remaining capacity (the plan's `zone-loss-overload` figure; the first
 * one on a tie), the first region, the dependency with the highest
 * utilization (load / capacity of all its instances) for faults on a
 * dependency; the fault strikes a third of the way into the run (at most
 * 20 s in) and lasts 10 s (losses last to the end); a spike is 5x slower,
 * a surge 2x the traffic, a burst fails half the requests, instances crash
 * 6 times an hour.
 *
 * @example
 * defaultScenario(spec, "zone-loss", 60_000); // { kind: "zone-loss", zone: "us-central1-a", afterMs: 20000, durationMs: null }
 */
export function defaultScenario(
  spec: Spec,
  kind: Exclude<ScenarioKind, "year">,
  runMs: number,
  params: ScenarioParams = {},
): Scenario {
  const afterMs = params.afterMs ?? Math.min(20_000, Math.floor(runMs / 3000) * 1000);
  const fault = (defaultMs: number | null) => ({
    afterMs,
    durationMs: params.durationMs === undefined ? defaultMs : params.durationMs,
  });
  switch (kind) {
    case "steady":
      return { kind };
    case "zone-loss":
      return { kind, zone: params.target ?? worstZone(spec), ...fault(null) };
    case "region-loss":
      return { kind, region: params.target ?? spec.platform.regions[0]?.name ?? "", ...fault(null) };
    case "instance-failures":
      return { kind, failuresPerHour: params.rate ?? 6, ...fault(null) };
    case "latency-spike":
    case "retry-storm":
      return { kind, target: params.target ?? busiestDependency(spec), factor: params.factor ?? 5, ...fault(10_000) };
    case "error-burst":
      return {
        kind,
        target: params.target ?? busiestDependency(spec),
        errorRate: params.rate ?? 0.5,
        ...fault(10_000),
      };
    case "surge":
      return { kind, factor: params.factor ?? 2, ...fault(10_000) };
  }
}

/** The zone whose loss leaves some service the least capacity for its load. */
function worstZone(spec: Spec): string {
  let worst = spec.platform.regions[0]?.zones[0] ?? "";
  let worstRatio = -1;
  for (const zone of spec.platform.regions.flatMap((region) => region.zones)) {
    let ratio = 0;
    for (const service of spec.services) {
      if (!service.zones.includes(zone)) continue;
      const remaining = service.capacity * service.instances * service.zones.filter((z) => z !== zone).length;
      ratio = Math.max(ratio, remaining > 0 ? service.load / remaining : Number.POSITIVE_INFINITY);
    }
    if (ratio > worstRatio) {
      worst = zone;
      worstRatio = ratio;
    }
  }
  return worst;
}

/** The called service running closest to its capacity (the first service when none is called). */
function busiestDependency(spec: Spec): string {
  const called = new Set(
    spec.services.flatMap((s) => s.calls.filter((c) => c.targetKind === "service").map((c) => c.target)),
  );
  const candidates = spec.services.filter((s) => called.has(s.name));
  let best = candidates[0] ?? spec.services[0];
  for (const service of candidates) {
    const utilization = (s: typeof service) => s.load / (s.capacity * s.instances * s.zones.length);
    if (best === undefined || utilization(service) > utilization(best)) best = service;
  }
  return best?.name ?? "";
}
