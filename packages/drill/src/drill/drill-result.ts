import type { SecondStats } from "../load/per-second.js";
import type { Replacement } from "../measure/time-to-replace.js";
import type { Prediction } from "./predict.js";
import type { ScenarioKind } from "./scenario.js";

/**
 * What a scenario must achieve (docs/drill.md, "Objectives"): a spec
 * disaster's RPO and RTO, else RPO 0 and the journeys' availability
 * objective over the scenario.
 */
export interface Objective {
  /** Success ratio the scenario must keep over its whole run; null: not an objective here. */
  successRatio: number | null;
  /** Writes acknowledged within this window before the fault may be lost; 0: none may. */
  rpoMs: number;
  /** Longest RTO; null: not an objective here. */
  rtoMs: number | null;
  /** Where it comes from: `disaster "..."` or `journeys`. */
  source: string;
}

/** `better`/`worse` than the plan predicted, `as-predicted`, or `not-predicted` when the plan has no figure for it. */
export type Comparison = "better" | "worse" | "as-predicted" | "not-predicted";

/** The verdict against the objective. */
export type Verdict = "met" | "missed" | "not-run";

/** How one service held up while the fault lasted (the services the plan predicts overloaded). */
export interface ServiceGoodput {
  service: string;
  /** Successful requests per second that needed it, over the fault (its first 2 s left out). */
  goodput: number;
  /** Its remaining capacity, req/s at the run's scale. */
  remainingCapacity: number;
  /** goodput / min(offered, remaining capacity): 1 when it served all it could. */
  ratio: number | null;
  /** p99 of those successful requests as the client saw them (the callers' retries included), ms. */
  p99Ms: number | null;
  /** p99 of the requests its instances admitted and answered over the same time (their own latency histograms), ms. */
  admittedP99Ms: number | null;
}

/** What was measured beyond the headline figures. */
export interface Measured {
  /** Requests sent in the scenario (the load generator's, not the fault's own). */
  offered: number;
  /** While the fault lasted (from the fault to its end). */
  fault: { offered: number; successRatio: number | null; p99Ms: number | null };
  /** While the fault lasted, per service: the requests that needed it (by the workload's steps); empty without steps. */
  services: { service: string; offered: number; successRatio: number | null; p99Ms: number | null }[];
  /** From the fault's end until the success ratio is back at the objective and stays 5 s; null: not within the run. */
  recoveryAfterEndMs: number | null;
  /** Writes acknowledged during the drill so far, and writes whose outcome the client never learned. */
  acknowledgedWrites: number;
  ambiguousWrites: number;
  /** False when the store could not be read after the scenario (no member up): lost writes were not counted. */
  rpoChecked: boolean;
  /** Each instance lost, and when the same instance served again. */
  replaced: Replacement[];
  /** The longest time to replace, null when none was replaced (or one never came back). */
  timeToReplaceMs: number | null;
  /** From the fault until writes worked again (3 in a row); null when there were no writes or none after. */
  failoverMs: number | null;
  /** The platform's promotion of the standby (from the system's failover event), ms. */
  promoteMs: number | null;
  /** Attempts the target's balancer received per client request that needed it, over the fault. */
  amplification: number | null;
  goodput: ServiceGoodput[];
  /** Share of successful answers made without an optional dependency, during the fault. */
  degradedRatio: number | null;
  /** Deletion: what the store's API counted. */
  deletion: {
    deleted: number;
    restored: number;
    before: number;
    after: number;
    restoreMs: number;
    mechanism: string;
  } | null;
  /** Processes of the target service that crashed (query of death), or instances lost by the fault. */
  crashes: number;
  /** The requests that failed over the scenario, by step and outcome (most first): where failures came from. */
  failures: FailureCount[];
}

/** Failed requests of one step with one outcome: an HTTP status (`"503"`) or an error kind without an answer (`"timeout"`). */
export interface FailureCount {
  step: string;
  outcome: string;
  count: number;
  /** The first and last of them, by the time they were sent, epoch ms. */
  firstAt: number;
  lastAt: number;
}

/** Per second: the load's series and the instances ready per zone. */
export interface TimelinePoint extends SecondStats {
  /** Instances ready per zone (sampled). */
  ready: Record<string, number>;
}

/**
 * One scenario's result: the line `nines drill --json` prints (without
 * `series`), documented field by field in docs/drill.md ("JSON").
 *
 * @example
 * results.map((r) => `${r.scenario}: ${r.verdict} (${r.reason})`);
 */
export interface DrillResult {
  scenario: string;
  kind: ScenarioKind;
  target: string;
  title: string;
  /** The spec disaster's `scenario` text it drills, null for a standard scenario. */
  disaster: string | null;
  /** Success ratio over the whole scenario (warm-up, fault, observation); null without traffic. */
  successRatio: number | null;
  /** p99 latency of the successful requests over the scenario, ms. */
  p99Ms: number | null;
  /** Acknowledged writes lost (deletion: items the recovery did not bring back). */
  lostWrites: number;
  /** From the fault until the success ratio is back at the objective and stays 5 s (deletion: until the data is restored), ms; null: not within the run. */
  rtoMs: number | null;
  predicted: Prediction;
  objective: Objective;
  verdict: Verdict;
  comparison: Comparison;
  /** Why the verdict and the comparison: what missed, and the rule that explains a difference from the plan. */
  reason: string;
  measured: Measured | null;
  /** Epoch ms: load start, fault, fault's end, load end (null when not run). */
  timeline: { startAt: number; faultAt: number; faultEndAt: number; endAt: number } | null;
  series: TimelinePoint[];
}
