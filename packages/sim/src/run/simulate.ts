import { type OnProgress, requireKnownOptions, requireOption, SeededRandom } from "@nines/core";
import type { Spec } from "@nines/planner";
import { timeout } from "@nines/resilience";
import { SimClock } from "../engine/sim-clock.js";
import { SimAutoscaler, type SimAutoscalerOptions } from "../model/autoscaler.js";
import type { BalancerHealthOptions } from "../model/balancer.js";
import type { SimAdmission } from "../model/instance-model.js";
import { SimPlatform } from "../model/platform.js";
import { SimSystem } from "../model/sim-system.js";
import { constant, type Distribution, exponential, lognormal } from "../random/distributions.js";
import { dailyShare, type LoadCurve, startArrivals } from "./arrivals.js";
import { availabilityOf } from "./availability.js";
import { applyScenario, type RunMark } from "./faults.js";
import { JourneyRecorder, type JourneySeries, roundMs } from "./journey-series.js";
import { checkScenario, type Scenario } from "./scenario.js";
import { ServiceRecorder, type ServiceSeries } from "./service-series.js";
import { type SimWorkload, workloadPicker } from "./workload.js";

/** How service times are drawn around an instance's mean (`workers / capacity`). */
export type ServiceTimeModel = "exponential" | "constant" | { kind: "lognormal"; cv: number };

/** Options of {@link simulate}. */
export interface SimulateOptions {
  /** Simulated time, in ms (default 60,000: one minute). */
  durationMs?: number;
  /** The seed of every random draw (default 1): the same seed gives byte-identical results. */
  seed?: number;
  /**
   * Mean service time of one request, in ms (default 50, as nines' service
   * host): an instance has `round(capacity x serviceTimeMs / 1000)` worker
   * slots (at least one) whose mean service time makes exactly the spec's
   * capacity.
   */
  serviceTimeMs?: number;
  /** Worker slots per instance, instead of the rule above; the mean service time is `workers / capacity`. */
  workers?: number;
  /** Default "exponential". */
  serviceTime?: ServiceTimeModel;
  /** Mean latency of a store call, exponential, in ms (default 2). */
  storeLatencyMs?: number;
  /**
   * Every instance's guard admission controller: `"tuned"` (default) as
   * nines' service host tunes it for the instance (see `instanceModel`),
   * the given options for all, or false for none.
   */
  admission?: SimAdmission | "tuned";
  /** The balancers' health checks and outlier ejection (default every 1000 ms, out after 2 failures, back after 1). */
  health?: BalancerHealthOptions;
  /** The edge's limit on one user request, in ms (default 30,000, a global load balancer's default). */
  edgeTimeoutMs?: number;
  /**
   * The overall limit of one call between services, retries included, in
   * ms; the callee gets it as its deadline and its guard drops a request
   * whose caller has given up (default 2000, as ClickTravel's services).
   */
  callDeadlineMs?: number;
  /** The offered load over time: flat at the spec's load (default), or a daily curve peaking at noon. */
  curve?: LoadCurve;
  /** With the daily curve, the hour of day the run starts at (default 0). */
  startHour?: number;
  /** The autoscaler of services with a spec `autoscale`; false: none. */
  autoscale?: SimAutoscalerOptions | false;
  /** The length of one point of the series, in ms (default 1000, and 60,000 for runs longer than an hour). */
  stepMs?: number;
  /** Called once per step: `{ phase: "simulate", done, total, unit: "s" }` in simulated seconds. */
  onProgress?: OnProgress;
  /** The users' requests as a drill workload sends them, instead of the spec's load and calls at the entries. */
  workload?: SimWorkload;
}

/** One journey's verdict over the run. */
export interface JourneyResult {
  journey: string;
  /** Successes over finished requests; null when none finished. */
  availability: number | null;
  /** 95% confidence interval of `availability` (batch means over the steps); null when none finished. */
  ci95: [number, number] | null;
  /** The spec's objective for the journey, null when none. */
  objective: number | null;
  /** `met` when the availability reaches the objective, `missed` when not, null without either. */
  verdict: "met" | "missed" | null;
  /** Requests that arrived, succeeded and failed (the rest were still in flight at the end). */
  requests: number;
  succeeded: number;
  failed: number;
  /** Latency percentiles of the run's successes, in ms (null when none). */
  p50Ms: number | null;
  p99Ms: number | null;
}

/** What {@link simulate} returns; `JSON.stringify` of it is byte-identical for the same spec, scenario, options and seed. */
export interface SimulationResult {
  spec: string;
  scenario: Scenario;
  seed: number;
  durationMs: number;
  journeys: JourneyResult[];
  series: {
    /** The length of one point, in ms. */
    stepMs: number;
    /** Points in every series. */
    points: number;
    journeys: Record<string, JourneySeries>;
    services: Record<string, ServiceSeries>;
    /** With a workload only: per kind of request, by name, over every journey (the drill's per-step figures). */
    requests?: Record<string, JourneySeries>;
  };
  /** Where the scenario's faults start and end. */
  marks: RunMark[];
  /** What the platform did (zones lost and restored, stores failing over), in order. */
  timeline: { atMs: number; what: string }[];
  /** Calls that reached a service or a store, retries included (the edge's requests count as calls to the entry). */
  hops: number;
  /** Events the engine fired. */
  events: number;
}

const KNOWN_OPTIONS = [
  "durationMs",
  "seed",
  "serviceTimeMs",
  "workers",
  "serviceTime",
  "storeLatencyMs",
  "admission",
  "health",
  "edgeTimeoutMs",
  "callDeadlineMs",
  "curve",
  "startHour",
  "autoscale",
  "stepMs",
  "onProgress",
  "workload",
];

/**
 * Runs a spec's system on the simulator's clock: users arrive at each
 * journey's entry service open-loop (Poisson, at the entry's spec load,
 * flat or on a daily curve), every instance admits through the real guard
 * admission controller and serves with its workers, every call between
 * services runs through the real resilience pipeline built from the spec's
 * call policies, balancers check health and eject outliers, crashed
 * instances autoheal and services autoscale with the spec's start-up
 * times, stores fail over, and the scenario's faults strike on time.
 * Returns each journey's availability with its confidence interval and
 * verdict, and series per step.
 *
 * @example
 * const result = await simulate(loadSpec("nines.yaml"), { kind: "steady" }, { durationMs: 60_000, seed: 7 });
 * result.journeys[0]?.availability; // 1 at the spec's load with no fault
 */
export async function simulate(
  spec: Spec,
  scenario: Scenario,
  options: SimulateOptions = {},
): Promise<SimulationResult> {
  requireKnownOptions("simulate", options, KNOWN_OPTIONS);
  const durationMs = options.durationMs ?? 60_000;
  requireOption(
    Number.isInteger(durationMs) && durationMs >= 1000,
    "simulate",
    "durationMs",
    durationMs,
    "an integer >= 1000",
  );
  const seed = options.seed ?? 1;
  requireOption(Number.isInteger(seed), "simulate", "seed", seed, "an integer");
  const workers = options.workers;
  requireOption(
    workers === undefined || (Number.isInteger(workers) && workers >= 1),
    "simulate",
    "workers",
    workers,
    "an integer >= 1",
  );
  const serviceTimeMs = options.serviceTimeMs ?? 50;
  requireOption(serviceTimeMs > 0, "simulate", "serviceTimeMs", serviceTimeMs, "> 0");
  const stepMs = options.stepMs ?? (durationMs > 3_600_000 ? 60_000 : 1000);
  requireOption(
    Number.isInteger(stepMs) && stepMs >= 100 && stepMs <= durationMs,
    "simulate",
    "stepMs",
    stepMs,
    `an integer in [100, durationMs]`,
  );
  const edgeTimeoutMs = options.edgeTimeoutMs ?? 30_000;
  const callDeadlineMs = options.callDeadlineMs ?? 2000;
  requireOption(callDeadlineMs > 0, "simulate", "callDeadlineMs", callDeadlineMs, "> 0");
  const curve = options.curve ?? "flat";
  requireOption(curve === "flat" || curve === "daily", "simulate", "curve", curve, '"flat" or "daily"');
  const startHour = options.startHour ?? 0;
  requireOption(startHour >= 0 && startHour < 24, "simulate", "startHour", startHour, "in [0, 24)");
  checkScenario(spec, scenario);
  const workload = options.workload;
  const pickKind = workload === undefined ? undefined : workloadPicker(spec, workload);

  const clock = new SimClock();
  const random = new SeededRandom(seed);
  const services = new Map<string, ServiceRecorder>();
  const system = SimSystem.build(spec, {
    clock,
    random,
    serviceTimeMs,
    workers,
    serviceTime: serviceTimeOf(options.serviceTime ?? "exponential"),
    storeLatency: exponential(options.storeLatencyMs ?? 2),
    admission: options.admission ?? "tuned",
    health: options.health ?? {},
    callDeadlineMs,
    storm: new Set(scenario.kind === "retry-storm" ? [scenario.target] : []),
    requests:
      workload === undefined
        ? undefined
        : {
            entries: new Set(spec.journeys.map((journey) => journey.entry)),
            calls: workload.requests.map((request) => request.calls),
          },
    onSite: (site, added) => {
      if (site.policy.breaker !== undefined) services.get(site.call.target)?.watchBreaker(site.policy.breaker, added);
    },
  });
  // The recorders exist only now: count the breakers of the instances made while building.
  for (const service of system.services.values()) services.set(service.name, new ServiceRecorder(service));
  for (const service of system.services.values()) {
    for (const node of service.nodes) {
      for (const site of node.sites) {
        if (site.policy.breaker !== undefined) services.get(site.call.target)?.watchBreaker(site.policy.breaker, true);
      }
    }
  }
  const platform = new SimPlatform(spec, system, clock);
  if (options.autoscale !== false) {
    for (const service of system.services.values()) {
      if (SimAutoscaler.applies(service)) new SimAutoscaler(service, platform, clock, options.autoscale ?? {}).start();
    }
  }
  const { marks, traffic } = applyScenario(scenario, { system, platform, clock, random, durationMs });

  const journeys = new Map<string, JourneyRecorder>();
  const kinds = workload?.requests.map(() => new JourneyRecorder()) ?? [];
  const edge = timeout({ timeoutMs: edgeTimeoutMs, clock, errorStacks: false });
  const daily = curve === "daily";
  const factorAt = daily
    ? (atMs: number) => dailyShare(startHour + atMs / 3_600_000) * traffic.factorAt(atMs)
    : traffic.factorAt;
  for (const journey of spec.journeys) {
    const entry = system.services.get(journey.entry);
    if (entry === undefined) continue;
    const recorder = new JourneyRecorder();
    journeys.set(journey.name, recorder);
    const sharing = spec.journeys.filter((j) => j.entry === journey.entry).length;
    const stats = entry.stats;
    const operation = (context: { readonly deadlineAt: number }) => {
      stats.calls++;
      stats.attempts++;
      return entry.call(null, context.deadlineAt);
    };
    startArrivals({
      clock,
      random,
      ratePerMs: (workload?.rate ?? entry.spec.load) / sharing / 1000,
      endMs: durationMs,
      factorAt,
      peak: traffic.peak,
      flat: !daily && traffic.peak === 1,
      onArrival: () => {
        recorder.offer();
        const startedAt = clock.now();
        if (pickKind === undefined) {
          edge.execute(operation).then(
            () => recorder.succeed(clock.now() - startedAt),
            () => recorder.fail(),
          );
          return;
        }
        const kind = pickKind(random);
        const byKind = kinds[kind] as JourneyRecorder;
        byKind.offer();
        edge
          .execute((context) => {
            stats.calls++;
            stats.attempts++;
            return entry.callKind(null, context.deadlineAt, kind);
          })
          .then(
            () => {
              recorder.succeed(clock.now() - startedAt);
              byKind.succeed(clock.now() - startedAt);
            },
            () => {
              recorder.fail();
              byKind.fail();
            },
          );
      },
    });
  }

  const points = Math.floor(durationMs / stepMs);
  for (let point = 1; point <= points; point++) {
    clock.scheduleSync(point * stepMs, () => {
      for (const recorder of journeys.values()) recorder.closeStep();
      for (const recorder of kinds) recorder.closeStep();
      for (const recorder of services.values()) recorder.closeStep();
    });
    if (options.onProgress !== undefined) {
      const onProgress = options.onProgress;
      const done = (point * stepMs) / 1000;
      clock.scheduleSync(point * stepMs, () =>
        onProgress({ phase: "simulate", done, total: (points * stepMs) / 1000, unit: "s" }),
      );
    }
  }
  await clock.advanceTo(points * stepMs);

  return {
    spec: spec.name,
    scenario,
    seed,
    durationMs,
    journeys: spec.journeys.map((journey) => {
      const recorder = journeys.get(journey.name);
      const verdict = recorder
        ? availabilityOf(recorder.series.goodput, recorder.series.errors)
        : { availability: null, ci95: null };
      const availability = roundTo(verdict.availability);
      return {
        journey: journey.name,
        availability,
        ci95: verdict.ci95 === null ? null : [roundTo(verdict.ci95[0]) as number, roundTo(verdict.ci95[1]) as number],
        objective: journey.objective,
        verdict:
          availability === null || journey.objective === null
            ? null
            : availability >= journey.objective
              ? "met"
              : "missed",
        requests: recorder?.requests ?? 0,
        succeeded: recorder?.succeeded ?? 0,
        failed: recorder?.failed ?? 0,
        p50Ms: roundMs(recorder?.latencies.percentile(50) ?? null),
        p99Ms: roundMs(recorder?.latencies.percentile(99) ?? null),
      };
    }),
    series: {
      stepMs,
      points,
      journeys: Object.fromEntries([...journeys].map(([name, recorder]) => [name, recorder.series])),
      services: Object.fromEntries([...services].map(([name, recorder]) => [name, recorder.series])),
      ...(workload !== undefined && {
        requests: Object.fromEntries(
          workload.requests.map((request, i) => [request.name, (kinds[i] as JourneyRecorder).series]),
        ),
      }),
    },
    marks,
    timeline: platform.events.map((event) => ({ atMs: event.at, what: event.what })),
    hops: [...spec.services, ...spec.stores].reduce((sum, part) => sum + (system.statsOf(part.name)?.attempts ?? 0), 0),
    events: clock.fired,
  };
}

function serviceTimeOf(model: ServiceTimeModel): (meanMs: number) => Distribution {
  if (model === "exponential") return exponential;
  if (model === "constant") return constant;
  requireOption(
    typeof model === "object" && model !== null && model.kind === "lognormal",
    "simulate",
    "serviceTime",
    model,
    '"exponential", "constant" or { kind: "lognormal", cv }',
  );
  return (meanMs) => lognormal(meanMs, model.cv);
}

/** Eight decimals: far below what a run can resolve, and stable JSON. */
function roundTo(value: number | null): number | null {
  return value === null ? null : Math.round(value * 1e8) / 1e8;
}
