import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isNinesError } from "@nines/core";
import { constantBackoff, exponentialBackoff } from "./backoff.js";
import { bulkhead } from "./bulkhead.js";
import { circuitBreaker } from "./circuit-breaker.js";
import { hedging } from "./hedging.js";
import { keyedPolicies } from "./keyed.js";
import { retry } from "./retry.js";
import { retryBudget } from "./retry-budget.js";
import { adaptiveThrottle } from "./throttle.js";
import { timeout } from "./timeout.js";

/**
 * Issue #2: "Options are validated when the policy is built: a negative
 * delay, zero attempts or a ratio outside 0..1 throws a coded error naming
 * the option." One table for every builder, including values a JavaScript
 * caller may pass by mistake (NaN, a numeric string).
 */
type Build = (value: unknown) => unknown;

const consecutive = { kind: "consecutive", threshold: 1 } as const;
const cases: Array<[part: string, option: string, build: Build, bad: unknown[]]> = [
  ["retry", "maxAttempts", (v) => retry({ maxAttempts: v as number }), [0, -1, 1.5, Number.NaN, "3"]],
  ["retry", "maxElapsedMs", (v) => retry({ maxElapsedMs: v as number }), [-1, Number.NaN, "5"]],
  [
    "retry",
    "minAttemptMs",
    (v) => retry({ minAttemptMs: v as number }),
    [-1, Number.NaN, Number.POSITIVE_INFINITY, "5"],
  ],
  ["retry", "maxRetryAfterMs", (v) => retry({ maxRetryAfterMs: v as number }), [-1, Number.NaN, "5"]],
  ["retry", "budget", (v) => retry({ budget: v as never }), [{}, 1]],
  [
    "exponentialBackoff",
    "initialDelayMs",
    (v) => exponentialBackoff({ initialDelayMs: v as number }),
    [-1, Number.NaN, "5"],
  ],
  [
    "exponentialBackoff",
    "multiplier",
    (v) => exponentialBackoff({ multiplier: v as number }),
    [0, 0.5, Number.NaN, "2"],
  ],
  [
    "exponentialBackoff",
    "maxDelayMs",
    (v) => exponentialBackoff({ maxDelayMs: v as number }),
    [-1, 50, Number.POSITIVE_INFINITY, Number.NaN, "5"],
  ],
  ["exponentialBackoff", "jitter", (v) => exponentialBackoff({ jitter: v as "full" }), ["sometimes", 1]],
  ["constantBackoff", "delayMs", (v) => constantBackoff(v as number), [-1, Number.NaN, Number.POSITIVE_INFINITY]],
  ["timeout", "ms", (v) => timeout({ ms: v as number }), [0, -1, Number.NaN, Number.POSITIVE_INFINITY, "5"]],
  ["bulkhead", "maxConcurrent", (v) => bulkhead({ maxConcurrent: v as number }), [0, -1, 1.5, Number.NaN, "2"]],
  [
    "bulkhead",
    "maxQueue",
    (v) => bulkhead({ maxConcurrent: 1, maxQueue: v as number }),
    [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "2"],
  ],
  ["hedging", "delayMs", (v) => hedging({ delayMs: v as number }), [-1, Number.NaN, Number.POSITIVE_INFINITY, "5"]],
  ["hedging", "maxAttempts", (v) => hedging({ delayMs: 10, maxAttempts: v as number }), [0, -1, 1.5, Number.NaN]],
  ["retryBudget", "ratio", (v) => retryBudget({ ratio: v as number }), [-0.1, 1.5, Number.NaN, "0.5"]],
  [
    "retryBudget",
    "minRetriesPerSecond",
    (v) => retryBudget({ minRetriesPerSecond: v as number }),
    [-1, Number.NaN, Number.POSITIVE_INFINITY],
  ],
  ["retryBudget", "ttlMs", (v) => retryBudget({ ttlMs: v as number }), [0, -1, Number.NaN, Number.POSITIVE_INFINITY]],
  ["adaptiveThrottle", "k", (v) => adaptiveThrottle({ k: v as number }), [0, 0.5, Number.NaN, "2"]],
  [
    "adaptiveThrottle",
    "windowMs",
    (v) => adaptiveThrottle({ windowMs: v as number }),
    [0, -1, Number.NaN, Number.POSITIVE_INFINITY],
  ],
  ["keyedPolicies", "maxSize", (v) => keyedPolicies({ create: () => 1, maxSize: v as number }), [0, 1.5, Number.NaN]],
  ["keyedPolicies", "idleMs", (v) => keyedPolicies({ create: () => 1, idleMs: v as number }), [0, -1, Number.NaN, "5"]],
  [
    "circuitBreaker",
    "slowCallMs",
    (v) => circuitBreaker({ window: consecutive, slowCallMs: v as number }),
    [-1, Number.NaN, "5"],
  ],
  [
    "circuitBreaker",
    "openMs",
    (v) => circuitBreaker({ window: consecutive, openMs: v as number }),
    [-1, Number.NaN, "5"],
  ],
  [
    "circuitBreaker",
    "halfOpenProbes",
    (v) => circuitBreaker({ window: consecutive, halfOpenProbes: v as number }),
    [0, 1.5, Number.NaN],
  ],
  [
    "circuitBreaker",
    "rampUpMs",
    (v) => circuitBreaker({ window: consecutive, rampUpMs: v as number }),
    [-1, Number.NaN],
  ],
  [
    "circuitBreaker",
    "rampUpStartFraction",
    (v) => circuitBreaker({ window: consecutive, rampUpStartFraction: v as number }),
    [-0.1, 1.5, Number.NaN, "0.5"],
  ],
  [
    "circuitBreaker",
    "window.threshold",
    (v) => circuitBreaker({ window: { kind: "consecutive", threshold: v as number } }),
    [0, 1.5, Number.NaN],
  ],
  [
    "circuitBreaker",
    "window.failureRateThreshold",
    (v) => circuitBreaker({ window: { kind: "count", size: 10, failureRateThreshold: v as number } }),
    [0, -0.5, 1.5, Number.NaN, "0.5"],
  ],
  [
    "circuitBreaker",
    "window.slowCallRateThreshold",
    (v) =>
      circuitBreaker({
        window: { kind: "time", durationMs: 1000, failureRateThreshold: 0.5, slowCallRateThreshold: v as number },
      }),
    [0, 1.5, Number.NaN, "0.5"],
  ],
  [
    "circuitBreaker",
    "window.minimumCalls",
    (v) =>
      circuitBreaker({ window: { kind: "count", size: 10, failureRateThreshold: 0.5, minimumCalls: v as number } }),
    [0, 11, 1.5, Number.NaN],
  ],
  [
    "circuitBreaker",
    "window.durationMs",
    (v) => circuitBreaker({ window: { kind: "time", durationMs: v as number, failureRateThreshold: 0.5 } }),
    [0, -1, Number.NaN, Number.POSITIVE_INFINITY],
  ],
];

describe("every builder validates its options, naming the bad one", () => {
  for (const [part, option, build, bad] of cases) {
    test(`${part}: ${option} rejects ${bad.map((v) => (typeof v === "number" ? String(v) : JSON.stringify(v))).join(", ")}`, () => {
      for (const value of bad) {
        assert.throws(
          () => build(value),
          (e) =>
            isNinesError(e, "NINES_OPTION_INVALID") &&
            e.details.option === option &&
            e.message.includes(`option ${option} `),
          `${part} ${option} = ${String(value)} must be rejected`,
        );
      }
    });
  }
});
