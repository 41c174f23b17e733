// The system `nines drill` runs, as the simulator models it: the spec at the
// drill's scale (`scaleSpec`), the drill workload's requests (its journeys'
// weights and the services each step needs, in order), constant service
// times (ClickTravel's worker slots sleep for their service time), the load
// generator's 5 s limit per request, and the drill's own store failover (a
// local PostgreSQL standby promoted by `nines up`'s watch, not the spec's
// managed minute). Used by bench/agreement.ts and the sim-side test of
// must-show (5).
import type { Spec } from "@nines/planner";
import { type SimulateOptions, type SimulationResult, type SimWorkload, scaleSpec } from "@nines/sim";

/** What the drill needs of a workload module (`examples/clicktravel/workload.mjs`): see `Workload` in `@nines/drill`. */
export interface DrillWorkloadModule {
  rate(plan: { services: { name: string; load: number }[] }): number;
  journeys(context: never): { name: string; weight: number }[];
  steps?: Record<string, readonly string[]>;
}

/** The drill's defaults: `nines drill --scale 20 --time-scale 10`, the load generator's `timeoutMs`. */
export const DRILL_DEFAULTS = Object.freeze({
  scale: 20,
  timeScale: 10,
  edgeTimeoutMs: 5000,
  /** `nines up`'s PostgreSQL watch looks every 200 ms; a promotion took 134 to 284 ms (docs/benchmarks.md). */
  storeFailoverMs: 200 + 250,
});

/** The zone-loss timeline of `buildScenarios` for ClickTravel: 4 s of load, 15 s lost, 18 s observed. */
export const ZONE_LOSS_TIMELINE = Object.freeze({ warmupMs: 4000, faultMs: 15_000, observeMs: 18_000 });

/**
 * The spec, workload and options that simulate what the drill runs.
 *
 * @example
 * const model = drillModel(spec, workload, { storeFailoverMs: 400 });
 * await simulate(model.spec, scenario, model.options);
 */
export function drillModel(
  spec: Spec,
  module: DrillWorkloadModule,
  options: { scale?: number; timeScale?: number; storeFailoverMs?: number } = {},
): { spec: Spec; workload: SimWorkload; options: SimulateOptions } {
  const scale = options.scale ?? DRILL_DEFAULTS.scale;
  const timeScale = options.timeScale ?? DRILL_DEFAULTS.timeScale;
  const storeFailoverMs = options.storeFailoverMs ?? DRILL_DEFAULTS.storeFailoverMs;
  const scaled = scaleSpec(spec, { scale, timeScale, storeFailoverMs });
  const plan = { services: scaled.services.map((s) => ({ name: s.name, load: s.load })) };
  const entries = new Set(spec.journeys.map((j) => j.entry));
  const noop = () => {};
  // The journeys only read the plan when they are built; the rest of the context serves their runs.
  const context = { plan, frontDoor: "", instanceUrl: () => "", acknowledge: noop, ambiguous: noop, mark: noop };
  const journeys = module.journeys(context as never);
  const workload: SimWorkload = {
    rate: module.rate(plan),
    requests: journeys
      .filter((j) => j.weight > 0)
      .map((j) => ({
        name: j.name,
        weight: j.weight,
        calls: (module.steps?.[j.name] ?? []).filter((service) => !entries.has(service)),
      })),
  };
  return {
    spec: scaled,
    workload,
    options: { serviceTime: "constant", edgeTimeoutMs: DRILL_DEFAULTS.edgeTimeoutMs, workload },
  };
}

/** The figures set side by side: the simulation's, from its series over the drill's windows. */
export interface SimulatedZoneLoss {
  /** Successes / finished requests over the run. */
  successRatio: number | null;
  p99Ms: number | null;
  /** Successful user requests per second while the zone was lost. */
  faultGoodput: number;
  /** Successes / requests that ended while the zone was lost. */
  faultSuccessRatio: number | null;
  /**
   * Successful user requests that needed `service`, per second, from 2 s
   * into the loss to its end: the drill's goodput of a service.
   */
  serviceGoodput: number;
}

/**
 * Reads the drill's figures off a simulated zone loss (`afterMs` and
 * `faultMs` as simulated; `service` the one the plan finds overloaded).
 *
 * @example
 * const figures = simulatedZoneLoss(result, model.workload, "inventory", 4000, 15_000);
 */
export function simulatedZoneLoss(
  result: SimulationResult,
  workload: SimWorkload,
  service: string,
  afterMs: number,
  faultMs: number,
): SimulatedZoneLoss {
  const [journey] = result.journeys;
  const series = Object.values(result.series.journeys)[0];
  const from = Math.round(afterMs / result.series.stepMs);
  const to = Math.round((afterMs + faultMs) / result.series.stepMs);
  const sum = (values: readonly number[], start: number, end: number) =>
    values.slice(start, end).reduce((a, b) => a + b, 0);
  const good = series === undefined ? 0 : sum(series.goodput, from, to);
  const bad = series === undefined ? 0 : sum(series.errors, from, to);
  const seconds = faultMs / 1000;
  const skip = Math.round(2000 / result.series.stepMs);
  let needing = 0;
  for (const request of workload.requests) {
    const series = result.series.requests?.[request.name];
    if (series !== undefined && request.calls.includes(service)) needing += sum(series.goodput, from + skip, to);
  }
  return {
    successRatio: journey?.availability ?? null,
    p99Ms: journey?.p99Ms ?? null,
    faultGoodput: good / seconds,
    faultSuccessRatio: good + bad === 0 ? null : good / (good + bad),
    serviceGoodput: needing / (seconds - 2),
  };
}
