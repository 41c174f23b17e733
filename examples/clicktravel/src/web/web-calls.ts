import type { CallDescription } from "@nines/resilience";

/**
 * The calls web makes when `NINES_CALLS` is not set: the spec's `calls`
 * of web (retries with jittered exponential backoff and a breaker for the
 * required dependencies, analytics optional), with a retry budget of 20%
 * and a 1 s limit per attempt.
 *
 * @example
 * const config = readConfig("web", process.env, WEB_CALLS);
 */
export const WEB_CALLS: CallDescription[] = [
  { target: "orders", retries: 2, backoff: "exponential", jitter: true, breaker: true, budget: 0.2, timeoutMs: 1000 },
  {
    target: "inventory",
    retries: 2,
    backoff: "exponential",
    jitter: true,
    breaker: true,
    budget: 0.2,
    timeoutMs: 1000,
  },
  { target: "analytics", optional: true },
];

/** The overall time analytics gets per call: an optional dependency must not slow the page down. */
export const ANALYTICS_DEADLINE_MS = 300;
