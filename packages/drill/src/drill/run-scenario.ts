import type { Clock, OnProgress, Random } from "@nines/core";
import type { PlanResult, Spec } from "@nines/planner";
import { LoadGenerator } from "../load/load-generator.js";
import { RequestLog } from "../load/request-log.js";
import type { LifeEvent } from "../measure/time-to-replace.js";
import { admittedP99Ms, readAdmitted } from "./admitted-latency.js";
import type { DrillResult } from "./drill-result.js";
import type { DrillSystem } from "./drill-system.js";
import { notRunnable, startFault } from "./faults.js";
import { judge, objectiveFor } from "./judge.js";
import { measureScenario, SETTLE_MS } from "./measure-scenario.js";
import { predictScenario } from "./predict.js";
import type { Scenario } from "./scenario.js";
import { SystemSampler } from "./system-sampler.js";
import type { Workload, WorkloadContext } from "./workload.js";
import type { WriteLedger } from "./write-ledger.js";

/** What every scenario of a drill shares. */
export interface ScenarioEnvironment {
  spec: Spec;
  plan: PlanResult;
  system: DrillSystem;
  workload: Workload;
  ledger: WriteLedger;
  clock: Clock;
  random?: Random;
  signal?: AbortSignal;
  onProgress?: OnProgress;
}

/**
 * Runs one scenario: the workload's journeys at the scaled load (open
 * loop), the fault at `warmupMs`, its end `faultMs` later, `observeMs` of
 * observation; then the RPO check against the store and the measures,
 * the plan's prediction, the objective and the verdict. A scenario that
 * cannot run here is `not-run` with the reason; nothing is injected.
 *
 * @example
 * const result = await runScenario(scenario, environment);
 * result.verdict; // "met"
 */
export async function runScenario(scenario: Scenario, env: ScenarioEnvironment): Promise<DrillResult> {
  const { spec, plan, system, workload, clock } = env;
  const predicted = predictScenario(spec, plan, scenario, { timeScale: system.plan.timeScale });
  const objective = objectiveFor(spec, scenario);
  const skip = env.signal?.aborted ? "the drill was stopped" : notRunnable(system, scenario, workload);
  if (skip !== null) return notRun(scenario, predicted, objective, skip);

  const marks: { name: string; at: number }[] = [];
  const context = workloadContext(env, marks);
  const callers = scenario.callers === "naive" ? await useNaiveCallers(system, scenario.target) : [];
  const events: LifeEvent[] = [];
  const failovers: { at: number; promoteMs: number }[] = [];
  const offs = [
    system.on("exit", (e) => events.push({ type: "exit", instance: e.instance, at: e.at, reason: e.reason })),
    system.on("ready", (e) => events.push({ type: "ready", instance: e.instance, at: e.at })),
    system.on("failover", (e) => failovers.push({ at: e.at, promoteMs: e.promoteMs })),
  ];
  const sampler = new SystemSampler(system, { clock });
  const { warmupMs, faultMs, observeMs } = scenario.timeline;
  const log = new RequestLog();
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  env.signal?.addEventListener("abort", onAbort, { once: true });
  const generator = new LoadGenerator({
    baseUrl: system.frontDoor,
    journeys: workload.journeys(context),
    rate: workload.rate(system.plan),
    durationMs: warmupMs + faultMs + observeMs,
    log,
    clock,
    ...(env.random && { random: env.random }),
  });
  const progress = (phase: string, message: string) =>
    env.onProgress?.({ phase, done: 0, total: null, unit: "steps", message: `${scenario.name}: ${message}` });
  try {
    sampler.start();
    const startAt = clock.now();
    const load = generator.run(stop.signal);
    progress("warm-up", `${warmupMs / 1000} s of load at ${workload.rate(system.plan)} journeys/s`);
    await clock.sleep(warmupMs, stop.signal).catch(() => {});
    const faultAt = clock.now();
    if (!stop.signal.aborted) progress("fault", scenario.title);
    const fault = stop.signal.aborted ? null : await startFault(system, scenario, workload, context, { clock });
    // The overloaded services' own latency of what they admit, once the fault has settled.
    const overloaded = predicted.overload.map((o) => o.service);
    await clock.sleep(Math.min(SETTLE_MS, faultMs), stop.signal).catch(() => {});
    const admittedBefore = await Promise.all(overloaded.map((s) => readAdmitted(system, s)));
    await clock.sleep(Math.max(0, faultAt + faultMs - clock.now()), stop.signal).catch(() => {});
    const admittedAfter = await Promise.all(overloaded.map((s) => readAdmitted(system, s)));
    const faultEndAt = clock.now();
    if (fault !== null) progress("recovery", "fault removed; observing");
    await fault?.end();
    await clock.sleep(Math.max(0, startAt + warmupMs + faultMs + observeMs - clock.now()), stop.signal).catch(() => {});
    stop.abort();
    await load;
    const endAt = clock.now();
    const samples = await sampler.stop();
    const rpo = await env.ledger.check(system);
    const m = measureScenario(
      scenario,
      predicted,
      system.plan,
      {
        log,
        startAt,
        faultAt,
        faultEndAt,
        endAt,
        samples,
        events,
        failovers,
        marks,
        deletion: fault?.deletion() ?? null,
        restoredAt: fault?.restoredAt() ?? null,
        admittedP99Ms: new Map(
          overloaded.map((s, i) => [s, admittedP99Ms(admittedBefore[i] ?? [], admittedAfter[i] ?? [])]),
        ),
      },
      {
        objective: objective.successRatio ?? 0.999,
        needs: workload.steps ? (step, service) => (workload.steps?.[step] ?? []).includes(service) : null,
        writeSteps: env.ledger.writeSteps,
      },
    );
    const deletion = m.measured.deletion;
    const lostWrites = rpo.lostWrites + (deletion ? Math.max(0, deletion.before - deletion.after) : 0);
    const measured = {
      ...m.measured,
      acknowledgedWrites: rpo.acknowledged,
      ambiguousWrites: rpo.ambiguous,
      rpoChecked: rpo.checked,
    };
    const headline = {
      successRatio: m.successRatio,
      lostWrites,
      firstLostAt: rpo.firstLostAt,
      rtoMs: m.rtoMs,
      faultAt,
    };
    const judgement = env.signal?.aborted
      ? {
          verdict: "not-run" as const,
          comparison: "not-predicted" as const,
          reason: "the drill was stopped during the scenario",
        }
      : judge(scenario, headline, measured, predicted, objective);
    return {
      scenario: scenario.name,
      kind: scenario.kind,
      target: scenario.target,
      title: scenario.title,
      disaster: scenario.disaster?.scenario ?? null,
      successRatio: m.successRatio,
      p99Ms: m.p99Ms,
      lostWrites,
      rtoMs: m.rtoMs,
      predicted,
      objective,
      ...judgement,
      measured,
      timeline: { startAt, faultAt, faultEndAt, endAt },
      series: m.series,
    };
  } finally {
    stop.abort();
    env.signal?.removeEventListener("abort", onAbort);
    for (const off of offs) off();
    await sampler.stop().catch(() => []);
    for (const caller of callers) await system.restartService?.(caller, {}).catch(() => {});
  }
}

function notRun(
  scenario: Scenario,
  predicted: DrillResult["predicted"],
  objective: DrillResult["objective"],
  reason: string,
): DrillResult {
  return {
    scenario: scenario.name,
    kind: scenario.kind,
    target: scenario.target,
    title: scenario.title,
    disaster: scenario.disaster?.scenario ?? null,
    successRatio: null,
    p99Ms: null,
    lostWrites: 0,
    rtoMs: null,
    predicted,
    objective,
    verdict: "not-run",
    comparison: "not-predicted",
    reason,
    measured: null,
    timeline: null,
    series: [],
  };
}

/**
 * What a workload's journeys and hooks get during a scenario: the run's
 * plan, the front door, ready instances, the RPO ledger and the marks.
 *
 * @example
 * const context = workloadContext(environment, []);
 */
export function workloadContext(
  env: Pick<ScenarioEnvironment, "system" | "clock" | "ledger">,
  marks: { name: string; at: number }[],
): WorkloadContext {
  const { system, clock, ledger } = env;
  return {
    plan: system.plan,
    frontDoor: system.frontDoor,
    instanceUrl: (service) => {
      const ready = system.instances(service).find((i) => i.state === "ready");
      if (ready === undefined) throw new Error(`no ready instance of ${service}`);
      return ready.url;
    },
    acknowledge: (id) => ledger.acknowledge(id, clock.now()),
    ambiguous: (id) => ledger.ambiguous(id),
    mark: (name) => marks.push({ name, at: clock.now() }),
  };
}

/**
 * Restarts every caller of `target` with naive calls to it: the same
 * retries, at once, without backoff, jitter, breaker or budget. Returns
 * the callers restarted (restored by the caller of this function).
 */
async function useNaiveCallers(system: DrillSystem, target: string): Promise<string[]> {
  const callers = system.plan.services.filter((s) => s.calls.some((c) => c.target === target));
  for (const caller of callers) {
    const calls = caller.calls.map((c) =>
      c.target === target ? { ...c, backoff: "none", jitter: false, breaker: false, budget: null } : c,
    );
    await system.restartService?.(caller.name, { NINES_CALLS: JSON.stringify(calls) });
  }
  return callers.map((c) => c.name);
}
