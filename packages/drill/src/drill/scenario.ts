import type { FaultMode } from "../fault/fault-mode.js";

/** The kinds of fault a drill injects (docs/drill.md, "Scenarios"). */
export type ScenarioKind =
  | "instance-loss"
  | "zone-loss"
  | "region-loss"
  | "db-crash"
  | "deletion"
  | "query-of-death"
  | "dependency-fault"
  | "retry-storm";

/**
 * Every scenario kind, in the order a drill runs them: those that leave
 * the system whole first; a database crash leaves the store without a
 * standby until `nines up` has made a new one (seconds), and a zone or
 * region loss crashes the database members there, so they come last.
 */
export const SCENARIO_KINDS: readonly ScenarioKind[] = [
  "instance-loss",
  "query-of-death",
  "dependency-fault",
  "retry-storm",
  "deletion",
  "db-crash",
  "zone-loss",
  "region-loss",
];

/**
 * When things happen in a scenario, relative to the start of its load:
 * `warmupMs` of steady load, the fault, `faultMs` with the fault in place
 * (a zone stays lost, a dependency stays slow; for an instant fault such as
 * a crash, the time given to recover by itself), the fault's end (zone
 * restored, fault removed, deleted data restored), then `observeMs` of
 * load to see the recovery.
 */
export interface ScenarioTimeline {
  warmupMs: number;
  faultMs: number;
  observeMs: number;
}

/** The clients a retry storm drives the dependency with. */
export type CallerPolicies = "spec" | "naive";

/** A spec disaster a scenario comes from (its objectives are the scenario's). */
export interface ScenarioDisaster {
  /** The disaster's `scenario` text. */
  scenario: string;
  /** Index in the spec's `disasters`. */
  index: number;
  rpoMs: number;
  rtoMs: number;
}

/**
 * One fault to inject and measure. `target` is what it hits: an instance
 * (`instance-loss`), a zone, a region, a store (`db-crash`, `deletion`) or
 * a service (`query-of-death`, `dependency-fault`, `retry-storm`).
 *
 * @example
 * const s: Scenario = { name: "zone-loss", kind: "zone-loss", target: "us-central1-a", disaster: null,
 *   timeline: { warmupMs: 5000, faultMs: 15_000, observeMs: 10_000 }, title: "lose zone us-central1-a" };
 */
export interface Scenario {
  /** Unique in a drill; what `--scenario NAME` selects (as does the kind). */
  name: string;
  kind: ScenarioKind;
  target: string;
  /** One line for people. */
  title: string;
  timeline: ScenarioTimeline;
  /** `dependency-fault` and `retry-storm`: what the target's links do during the fault. */
  fault?: FaultMode;
  /** `retry-storm`: the callers' policies during the run (`naive`: retries without backoff, breaker or budget). */
  callers?: CallerPolicies;
  /** The spec disaster it drills, null for the standard set. */
  disaster: ScenarioDisaster | null;
}
