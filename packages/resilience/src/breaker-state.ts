import { OPTION_INVALID, OptionError } from "@nines/core";
import type { FailureWindowJSON } from "./failure-window.js";

/**
 * The states of a circuit breaker.
 * - `closed`: calls flow (during a ramp-up after closing, only a growing fraction).
 * - `open`: every call is rejected fast until the open duration ends.
 * - `halfOpen`: up to `halfOpenProbes` probe calls run; others are rejected fast.
 * - `isolated`: opened by hand with `isolate()`; rejected until `reset()`.
 *
 * @example
 * if (breaker.state === "open") serveFromCache();
 */
export type CircuitState = "closed" | "open" | "halfOpen" | "isolated";

/**
 * A breaker's state as plain JSON, from `breaker.toJSON()`, to hand back as
 * the `initialState` option in a later process (a CLI run, a serverless
 * invocation). Times are absolute milliseconds on the breaker's clock.
 *
 * @example
 * writeFileSync(path, JSON.stringify(breaker.toJSON()));
 * const again = circuitBreaker({ ...options, initialState: JSON.parse(readFileSync(path, "utf8")) });
 */
export interface CircuitBreakerJSON {
  version: 1;
  state: CircuitState;
  /** When `open`: the instant from which the next call is a probe. */
  halfOpenAt?: number;
  /** How many times the circuit opened since it last closed (drives a growing open duration). */
  openings: number;
  /** The last open duration in ms (a growing backoff continues from it). */
  lastOpenMs?: number;
  /** When ramping up after closing: when the circuit closed. */
  rampStartedAt?: number;
  window: FailureWindowJSON;
}

const STATES: readonly string[] = ["closed", "open", "halfOpen", "isolated"];

function invalid(what: string, value: unknown): never {
  throw new OptionError(
    OPTION_INVALID,
    `circuitBreaker: option initialState.${what} is invalid, got ${JSON.stringify(value)}`,
    {
      hint: "pass the object returned by breaker.toJSON() unchanged, or omit initialState to start closed",
      details: { part: "circuitBreaker", option: `initialState.${what}`, value },
    },
  );
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0;
}

function isTime(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

/**
 * Checks saved state read from disk or the network before a breaker trusts
 * it; throws `NINES_OPTION_INVALID` naming the bad field.
 *
 * @example
 * const state = parseCircuitBreakerJSON(JSON.parse(text));
 */
export function parseCircuitBreakerJSON(value: unknown): CircuitBreakerJSON {
  if (typeof value !== "object" || value === null) invalid("", value);
  const v = value as Record<string, unknown>;
  if (v.version !== 1) invalid("version", v.version);
  if (typeof v.state !== "string" || !STATES.includes(v.state)) invalid("state", v.state);
  if (!isCount(v.openings)) invalid("openings", v.openings);
  if (v.state === "open" && !isTime(v.halfOpenAt)) invalid("halfOpenAt", v.halfOpenAt);
  if (v.lastOpenMs !== undefined && !(isTime(v.lastOpenMs) && v.lastOpenMs >= 0)) invalid("lastOpenMs", v.lastOpenMs);
  if (v.rampStartedAt !== undefined && !isTime(v.rampStartedAt)) invalid("rampStartedAt", v.rampStartedAt);
  const w = v.window as Record<string, unknown> | null | undefined;
  if (typeof w !== "object" || w === null) invalid("window", w);
  switch (w.kind) {
    case "consecutive":
      if (!isCount(w.streak)) invalid("window.streak", w.streak);
      break;
    case "count":
      if (!Array.isArray(w.outcomes) || !w.outcomes.every((o) => o === 0 || o === 1 || o === 2 || o === 3))
        invalid("window.outcomes", w.outcomes);
      break;
    case "time":
      if (!isTime(w.bucketMs)) invalid("window.bucketMs", w.bucketMs);
      if (!isTime(w.headStartedAt)) invalid("window.headStartedAt", w.headStartedAt);
      if (
        !Array.isArray(w.buckets) ||
        !w.buckets.every((b) => Array.isArray(b) && b.length === 3 && b.every((n: unknown) => isCount(n)))
      )
        invalid("window.buckets", w.buckets);
      break;
    default:
      invalid("window.kind", w.kind);
  }
  return value as CircuitBreakerJSON;
}
