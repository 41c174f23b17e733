import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isNinesError } from "@nines/core";
import { constantBackoff, exponentialBackoff } from "./backoff.js";
import { bulkhead } from "./bulkhead.js";
import { circuitBreaker } from "./circuit-breaker.js";
import { fallback } from "./fallback.js";
import { hedging } from "./hedging.js";
import { httpFetch } from "./http.js";
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

const consecutive = { kind: "consecutive", failureThreshold: 1 } as const;
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
  [
    "timeout",
    "timeoutMs",
    (v) => timeout({ timeoutMs: v as number }),
    [0, -1, Number.NaN, Number.POSITIVE_INFINITY, "5"],
  ],
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
  [
    "retryBudget",
    "windowMs",
    (v) => retryBudget({ windowMs: v as number }),
    [0, -1, Number.NaN, Number.POSITIVE_INFINITY, "5"],
  ],
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
    "window.failureThreshold",
    (v) => circuitBreaker({ window: { kind: "consecutive", failureThreshold: v as number } }),
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
        window: { kind: "time", windowMs: 1000, failureRateThreshold: 0.5, slowCallRateThreshold: v as number },
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
    "window.windowMs",
    (v) => circuitBreaker({ window: { kind: "time", windowMs: v as number, failureRateThreshold: 0.5 } }),
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

/**
 * Issue 8, item 17: a misspelt option was ignored silently (`maxAtempts`
 * left retries at the default). Every builder rejects a key it does not
 * know, names it, and suggests the closest known key.
 */
const misspelt: Array<[part: string, key: string, near: string | undefined, build: () => unknown]> = [
  ["retry", "maxAtempts", "maxAttempts", () => retry({ maxAtempts: 5 } as never)],
  ["retry", "isFailur", "isFailure", () => retry({ isFailur: () => true } as never)],
  ["exponentialBackoff", "initialDelay", "initialDelayMs", () => exponentialBackoff({ initialDelay: 5 } as never)],
  ["retry backoff", "initialDelay", "initialDelayMs", () => retry({ backoff: { initialDelay: 5 } } as never)],
  ["timeout", "timeotMs", "timeoutMs", () => timeout({ timeoutMs: 5, timeotMs: 5 } as never)],
  ["bulkhead", "maxQueued", "maxQueue", () => bulkhead({ maxConcurrent: 1, maxQueued: 5 } as never)],
  ["hedging", "maxAttempt", "maxAttempts", () => hedging({ delayMs: 5, maxAttempt: 2 } as never)],
  ["retryBudget", "windowMS", "windowMs", () => retryBudget({ windowMS: 5 } as never)],
  ["adaptiveThrottle", "bucket", "buckets", () => adaptiveThrottle({ bucket: 5 } as never)],
  ["keyedPolicies", "maxSiz", "maxSize", () => keyedPolicies({ create: () => 1, maxSiz: 5 } as never)],
  ["circuitBreaker", "openMS", "openMs", () => circuitBreaker({ window: consecutive, openMS: 5 } as never)],
  [
    "circuitBreaker window",
    "failureThreshhold",
    "failureThreshold",
    () => circuitBreaker({ window: { kind: "consecutive", failureThreshhold: 5 } } as never),
  ],
  [
    "circuitBreaker window",
    "size",
    undefined,
    () => circuitBreaker({ window: { kind: "time", windowMs: 1000, size: 5, failureRateThreshold: 0.5 } } as never),
  ],
  ["fallback", "isFailureResul", "isFailureResult", () => fallback({ value: 1, isFailureResul: () => true } as never)],
  ["httpFetch", "retryableStatus", "retryableStatuses", () => httpFetch({ retryableStatus: [503] } as never)],
];

describe("every builder rejects an unknown option key, suggesting the closest one", () => {
  for (const [part, key, near, build] of misspelt) {
    test(`${part}: ${key}`, () => {
      assert.throws(build, (e) => {
        assert.ok(isNinesError(e, "NINES_OPTION_INVALID"), String(e));
        assert.equal(e.message, `${part}: unknown option ${key}`);
        assert.equal(e.details.option, key);
        if (near !== undefined) assert.equal(e.hint, `did you mean ${near}?`);
        else assert.match(String(e.hint), /^the options are /);
        return true;
      });
    });
  }
});

test('timeout({ timeoutMs: "500" }) says a number was expected and quotes the string', () => {
  assert.throws(
    () => timeout({ timeoutMs: "500" as unknown as number }),
    (e) =>
      isNinesError(e, "NINES_OPTION_INVALID") &&
      e.message === 'timeout: option timeoutMs must be a number > 0, got "500"' &&
      e.hint === "set timeoutMs to a number > 0",
  );
});
