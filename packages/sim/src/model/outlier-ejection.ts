import type { OutlierOutcome } from "@nines/resilience";

/**
 * How a request the balancer sent to an instance ended: an answer below 500
 * (`success`), a guard's refusal for overload (`refusal`: neither a failure
 * nor a success), a 5xx the instance answered (`answer`), a refused
 * connection (`connect`) or one reset by a crash (`reset`).
 */
export type SimOutcome = "success" | "refusal" | "answer" | "connect" | "reset";

/**
 * The outcome as `nines up`'s outlier rules (`OutlierRules` of
 * `@nines/resilience`) read it: a refused or reset connection is a failure
 * to reach the instance.
 *
 * @example
 * outlierOutcome("reset"); // "unreachable"
 */
export function outlierOutcome(outcome: SimOutcome): OutlierOutcome {
  return outcome === "connect" || outcome === "reset" ? "unreachable" : outcome;
}
