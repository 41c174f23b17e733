import { type Clock, type OnProgress, type Random, requireKnownOptions, systemClock } from "@nines/core";
import { analyze, type PlanResult, type Spec } from "@nines/planner";
import { DRILL_ERRORS, DrillError } from "../errors.js";
import { LoadGenerator } from "../load/load-generator.js";
import { buildScenarios } from "./build-scenarios.js";
import type { DrillResult } from "./drill-result.js";
import type { DrillSystem } from "./drill-system.js";
import { runScenario, workloadContext } from "./run-scenario.js";
import type { Scenario } from "./scenario.js";
import { genericWorkload, type Workload } from "./workload.js";
import { WriteLedger } from "./write-ledger.js";

/** Options of {@link runDrill}. */
export interface DrillOptions {
  /** The spec the system runs (its planner model). */
  spec: Spec;
  /** The plan to compare with; default `analyze(spec)`. */
  plan?: PlanResult;
  /** What drives the system; default {@link genericWorkload}. */
  workload?: Workload;
  /** The scenarios; default `buildScenarios(spec, plan, { timeScale })`. */
  scenarios?: readonly Scenario[];
  /** Run only these: scenario names or kinds (`zone-loss` selects every zone loss). */
  only?: readonly string[];
  /** Longest wait between scenarios for every instance (outside lost zones) to be ready again; default 30000 ms. */
  settleTimeoutMs?: number;
  /** Load before the first scenario, not measured: a system just started serves its first requests slowly (cold code, empty pools); default 5000 ms, 0 for none. */
  warmupMs?: number;
  /** Stops the drill: the scenario under way ends its fault and stops its load; the rest are `not-run`. */
  signal?: AbortSignal;
  onProgress?: OnProgress;
  /** Called with each scenario's result as soon as it is known (the scorecard prints it). */
  onResult?: (result: DrillResult, index: number, total: number) => void;
  clock?: Clock;
  random?: Random;
}

const KNOWN = [
  "spec",
  "plan",
  "workload",
  "scenarios",
  "only",
  "settleTimeoutMs",
  "warmupMs",
  "signal",
  "onProgress",
  "onResult",
  "clock",
  "random",
];

/**
 * `nines drill`: runs scenarios one after the other against a running
 * system (what `up()` returns), each measured from the client side and set
 * beside the plan's prediction and the spec's objective (docs/drill.md,
 * "nines drill"). Between scenarios it waits for the system to be whole
 * again (instances replaced, a database standby made again). Scenarios
 * that leave the system degraded longest run after those that need it whole.
 *
 * @example
 * const system = await up(spec);
 * try {
 *   const results = await runDrill(system, { spec, workload, only: ["zone-loss", "db-crash"] });
 *   console.log(results.map((r) => `${r.scenario} ${r.verdict}`).join("\n"));
 * } finally {
 *   await system.stop();
 * }
 */
export async function runDrill(system: DrillSystem, options: DrillOptions): Promise<DrillResult[]> {
  requireKnownOptions("runDrill", options, KNOWN);
  const clock = options.clock ?? systemClock;
  const plan = options.plan ?? analyze(options.spec, { clock });
  const workload = options.workload ?? genericWorkload();
  const all =
    options.scenarios ??
    buildScenarios(options.spec, plan, {
      timeScale: system.plan.timeScale,
      ...(workload.queryOfDeath && { queryOfDeathService: workload.queryOfDeath.service }),
    });
  const scenarios = selectScenarios(all, options.only);
  const ledger = new WriteLedger(workload.writes);
  const results: DrillResult[] = [];
  const warmupMs = options.warmupMs ?? 5000;
  if (warmupMs > 0 && scenarios.length > 0 && !options.signal?.aborted) {
    options.onProgress?.({
      phase: "warm-up",
      done: 0,
      total: null,
      unit: "steps",
      message: `${warmupMs / 1000} s of load, not measured`,
    });
    await new LoadGenerator({
      baseUrl: system.frontDoor,
      journeys: workload.journeys(workloadContext({ system, clock, ledger }, [])),
      rate: workload.rate(system.plan),
      durationMs: warmupMs,
      clock,
      ...(options.random && { random: options.random }),
    }).run(options.signal);
  }
  for (const [index, scenario] of scenarios.entries()) {
    if (index > 0 && !options.signal?.aborted) await settle(system, clock, options.settleTimeoutMs ?? 30_000);
    options.onProgress?.({
      phase: "scenario",
      done: index,
      total: scenarios.length,
      unit: "scenarios",
      message: `${scenario.name}: ${scenario.title}`,
    });
    const result = await runScenario(scenario, {
      spec: options.spec,
      plan,
      system,
      workload,
      ledger,
      clock,
      ...(options.random && { random: options.random }),
      ...(options.signal && { signal: options.signal }),
      ...(options.onProgress && { onProgress: options.onProgress }),
    });
    results.push(result);
    options.onResult?.(result, index, scenarios.length);
  }
  return results;
}

/**
 * The scenarios `only` names (a name or a kind each), in drill order;
 * all of them when `only` is empty. An entry that matches nothing is
 * {@link DRILL_ERRORS.unknownName} listing the names.
 *
 * @example
 * selectScenarios(scenarios, ["zone-loss", "db-crash-orders-db"]).map((s) => s.name);
 */
export function selectScenarios(scenarios: readonly Scenario[], only: readonly string[] = []): Scenario[] {
  if (only.length === 0) return [...scenarios];
  for (const name of only) {
    if (!scenarios.some((s) => s.name === name || s.kind === name)) {
      throw new DrillError(DRILL_ERRORS.unknownName, `drill: no scenario "${name}"`, {
        hint: `scenarios are ${scenarios.map((s) => s.name).join(", ")} (or a kind: ${[...new Set(scenarios.map((s) => s.kind))].join(", ")})`,
      });
    }
  }
  return scenarios.filter((s) => only.includes(s.name) || only.includes(s.kind));
}

/**
 * Waits until every instance outside the lost zones is ready (autohealing
 * done) and every PostgreSQL member runs (a standby made again after a
 * crash), then a second for the balancers' checks.
 */
async function settle(system: DrillSystem, clock: Clock, timeoutMs: number): Promise<void> {
  const deadline = clock.now() + timeoutMs;
  const databases = system.plan.stores.filter((s) => s.kind === "postgres").map((s) => s.name);
  const whole = () => {
    const lost = new Set(system.lostZones());
    return (
      system.instances().every((i) => lost.has(i.zone) || i.state === "ready") &&
      databases.every((store) => system.database(store).every((m) => lost.has(m.zone) || m.up))
    );
  };
  while (!whole() && clock.now() < deadline) await clock.sleep(200);
  await clock.sleep(1000);
}
