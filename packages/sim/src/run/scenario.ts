import type { Spec } from "@nines/planner";
import { SIM_ERRORS, SimError } from "../errors.js";
import { SIMULATION_LIMITS } from "./limits.js";

/**
 * What happens during a run (times in ms from its start; a fault without
 * `durationMs`, or with null, lasts to the end of the run):
 * - `steady`: the spec's load and nothing else.
 * - `zone-loss` / `region-loss`: every instance there is cut off (callers
 *   hang until their timeouts), stores served from there fail over or are
 *   restored; when it comes back, its instances restart.
 * - `instance-failures`: every instance crashes at random, `failuresPerHour`
 *   times an hour on average (Poisson); services that autoheal restart it.
 * - `latency-spike`: the `target` service's (or store's) service times are
 *   multiplied by `factor`.
 * - `error-burst`: the `target` answers a share `errorRate` of its requests
 *   with a 500.
 * - `surge`: every journey's arrivals are multiplied by `factor`.
 * - `retry-storm`: the latency spike of `latency-spike`, while every caller
 *   of `target` retries at once, without backoff, budget or breaker (the
 *   same fault as `latency-spike` with clients that storm).
 *
 * @example
 * const scenario: Scenario = { kind: "zone-loss", zone: "us-central1-a", afterMs: 20_000 };
 */
export type Scenario =
  | { kind: "steady" }
  | { kind: "zone-loss"; zone: string; afterMs: number; durationMs?: number | null }
  | { kind: "region-loss"; region: string; afterMs: number; durationMs?: number | null }
  | { kind: "instance-failures"; failuresPerHour: number; afterMs?: number; durationMs?: number | null }
  | { kind: "latency-spike"; target: string; factor: number; afterMs: number; durationMs?: number | null }
  | { kind: "error-burst"; target: string; errorRate: number; afterMs: number; durationMs?: number | null }
  | { kind: "surge"; factor: number; afterMs: number; durationMs?: number | null }
  | { kind: "retry-storm"; target: string; factor: number; afterMs: number; durationMs?: number | null };

/** The kinds of {@link Scenario}, and `year` (see `simulateYear`). */
export const SCENARIO_KINDS = [
  "steady",
  "zone-loss",
  "region-loss",
  "instance-failures",
  "latency-spike",
  "error-burst",
  "surge",
  "retry-storm",
  "year",
] as const;

/** A scenario's name, as `nines simulate --scenario` takes it. */
export type ScenarioKind = (typeof SCENARIO_KINDS)[number];

/**
 * Throws `NINES_SIM_SCENARIO_INVALID` naming the fix when the scenario does not fit the spec.
 *
 * @example
 * checkScenario(spec, { kind: "zone-loss", zone: "us-central1-a", afterMs: 20_000 }); // passes for ClickTravel
 */
export function checkScenario(spec: Spec, scenario: Scenario): void {
  const kind = (scenario as { kind?: unknown }).kind;
  const invalid = (message: string, hint: string, details: Record<string, unknown> = {}) =>
    new SimError(SIM_ERRORS.scenarioInvalid, `${String(kind)}: ${message}`, {
      hint,
      details: { scenario: kind, ...details },
    });
  if (typeof kind !== "string" || !SCENARIO_KINDS.includes(kind as ScenarioKind) || kind === "year") {
    throw new SimError(SIM_ERRORS.scenarioInvalid, `unknown scenario ${JSON.stringify(kind)}`, {
      hint: `the scenarios are ${SCENARIO_KINDS.join(", ")} (year runs with simulateYear)`,
      details: { scenario: kind },
    });
  }
  if (scenario.kind === "steady") return;
  const times = scenario as { afterMs?: number; durationMs?: number | null };
  for (const [name, value] of [
    ["afterMs", times.afterMs ?? 0],
    ["durationMs", times.durationMs ?? 0],
  ] as const) {
    if (!(Number.isFinite(value) && value >= 0)) {
      throw invalid(`${name} must be >= 0, got ${value}`, "give times in ms from the start of the run", {
        [name]: value,
      });
    }
  }
  switch (scenario.kind) {
    case "zone-loss": {
      const zones = spec.platform.regions.flatMap((region) => region.zones);
      if (!zones.includes(scenario.zone)) {
        throw invalid(
          `${spec.name} has no zone ${scenario.zone}`,
          `name one of the spec's zones: ${zones.join(", ")}`,
          {
            zone: scenario.zone,
          },
        );
      }
      return;
    }
    case "region-loss": {
      const regions = spec.platform.regions.map((region) => region.name);
      if (!regions.includes(scenario.region)) {
        throw invalid(
          `${spec.name} has no region ${scenario.region}`,
          `name one of the spec's regions: ${regions.join(", ")}`,
          { region: scenario.region },
        );
      }
      return;
    }
    case "instance-failures":
      if (
        !(
          Number.isFinite(scenario.failuresPerHour) &&
          scenario.failuresPerHour > 0 &&
          scenario.failuresPerHour <= SIMULATION_LIMITS.failuresPerHour
        )
      ) {
        throw invalid(
          `failuresPerHour must be > 0 and at most ${SIMULATION_LIMITS.failuresPerHour} (once a second), got ${scenario.failuresPerHour}`,
          "give how often each instance crashes, e.g. 6 (every 10 minutes on average)",
        );
      }
      return;
    case "surge":
      checkFactor(scenario.factor, invalid);
      if (scenario.factor > SIMULATION_LIMITS.surgeFactor) {
        throw invalid(
          `factor must be at most ${SIMULATION_LIMITS.surgeFactor}, got ${scenario.factor}`,
          "the run's requests grow with the factor: give a surge such as 2 (twice the traffic)",
        );
      }
      return;
    case "latency-spike":
    case "retry-storm":
    case "error-burst": {
      const names = scenario.kind === "retry-storm" ? spec.services.map((s) => s.name) : partNames(spec);
      if (!names.includes(scenario.target)) {
        throw invalid(
          `${spec.name} has no service${scenario.kind === "retry-storm" ? "" : " or store"} ${scenario.target}`,
          `name one of: ${names.join(", ")}`,
          {
            target: scenario.target,
          },
        );
      }
      if (scenario.kind === "error-burst") {
        if (!(scenario.errorRate > 0 && scenario.errorRate <= 1)) {
          throw invalid(
            `errorRate must be in (0, 1], got ${scenario.errorRate}`,
            "give the share of requests that fail, e.g. 0.5",
          );
        }
      } else {
        checkFactor(scenario.factor, invalid);
      }
      return;
    }
  }
}

function checkFactor(factor: number, invalid: (message: string, hint: string) => SimError): void {
  if (!(Number.isFinite(factor) && factor > 0)) {
    throw invalid(
      `factor must be > 0, got ${factor}`,
      "give a multiplier such as 5 (five times slower, or more traffic)",
    );
  }
}

function partNames(spec: Spec): string[] {
  return [...spec.services.map((s) => s.name), ...spec.stores.map((s) => s.name)];
}
