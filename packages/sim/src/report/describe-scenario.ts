import type { Scenario } from "../run/scenario.js";
import type { YearResult } from "../year/simulate-year.js";
import { duration } from "./format.js";

/**
 * A scenario in words, for titles and summaries.
 *
 * @example
 * describeScenario({ kind: "zone-loss", zone: "us-central1-a", afterMs: 20_000 }); // "zone-loss: us-central1-a lost at 20 s"
 */
export function describeScenario(scenario: Scenario | YearResult["scenario"]): string {
  const window = (s: { afterMs?: number; durationMs?: number | null }) =>
    `at ${duration(s.afterMs ?? 0)}${s.durationMs === undefined || s.durationMs === null ? "" : ` for ${duration(s.durationMs)}`}`;
  switch (scenario.kind) {
    case "steady":
      return "steady: the spec's load, no fault";
    case "zone-loss":
      return `zone-loss: ${scenario.zone} lost ${window(scenario)}`;
    case "region-loss":
      return `region-loss: ${scenario.region} lost ${window(scenario)}`;
    case "instance-failures":
      return `instance-failures: every instance crashes ${timesAnHour(scenario.failuresPerHour)} on average, ${window(scenario)}`;
    case "latency-spike":
      return `latency-spike: ${scenario.target} ${scenario.factor}x slower ${window(scenario)}`;
    case "error-burst":
      return `error-burst: ${scenario.target} fails ${Math.round(scenario.errorRate * 100)}% of requests ${window(scenario)}`;
    case "surge":
      return `surge: ${scenario.factor}x the traffic ${window(scenario)}`;
    case "retry-storm":
      return `retry-storm: ${scenario.target} ${scenario.factor}x slower ${window(scenario)}, its callers retrying at once without budget or breaker`;
    case "year":
      return `year: ${scenario.years} simulated years, ${scenario.recovery === "spec" ? "with the spec's detection, failover and start-up times" : "with instant detection and recovery (the plan's model)"}`;
  }
}

/** "once an hour", "twice an hour", "6 times an hour", "0.5 times an hour". */
function timesAnHour(n: number): string {
  if (n === 1) return "once an hour";
  if (n === 2) return "twice an hour";
  return `${n} times an hour`;
}
