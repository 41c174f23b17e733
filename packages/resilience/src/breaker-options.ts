import { type Clock, type Random, requireKnownOptions, requireOption, systemClock, systemRandom } from "@nines/core";
import type { Backoff } from "./backoff.js";
import type { CircuitBreakerJSON } from "./breaker-state.js";
import { createFailureWindow, type FailureWindow, type FailureWindowOptions } from "./failure-window.js";
import type { PolicyEnvironment } from "./policy.js";

/**
 * Options of {@link circuitBreaker}. Every count and threshold is spelled out in docs/resilience.md.
 *
 * @example
 * const options: CircuitBreakerOptions = { window: { kind: "consecutive", failureThreshold: 5 }, openMs: 10_000 };
 */
export interface CircuitBreakerOptions extends PolicyEnvironment {
  /** Named in errors and events (default "circuit"). */
  name?: string;
  /** When to open while closed. */
  window: FailureWindowOptions;
  /** A call that takes longer than this (`>`) is slow. Unset: durations are not tracked. */
  slowCallMs?: number;
  /**
   * Open duration: a fixed number of ms (default 30000), or a {@link Backoff}
   * (for example `exponentialBackoff(...)`) asked with the number of openings
   * since the circuit last closed (1 = first) and the previous open duration.
   */
  openMs?: number | Backoff;
  /** Probe calls admitted in half-open (default 1); all must succeed to close. */
  halfOpenProbes?: number;
  /** After closing, the admitted fraction grows linearly to 1 over this many ms (default 0: no ramp). */
  rampUpMs?: number;
  /** The admitted fraction right after closing (default 0.1). */
  rampUpStartFraction?: number;
  /** For the ramp-up coin (a jittered open duration takes randomness from its own backoff). */
  random?: Random;
  /** Which errors count as failures (default: all but the ones nines never counts). False: ignored. */
  isFailure?: (error: unknown) => boolean;
  /** State saved by `toJSON()` in an earlier process. */
  initialState?: CircuitBreakerJSON;
}

const KNOWN_OPTIONS = [
  "name",
  "window",
  "slowCallMs",
  "openMs",
  "halfOpenProbes",
  "rampUpMs",
  "rampUpStartFraction",
  "random",
  "isFailure",
  "initialState",
  "clock",
  "errorStacks",
];

/** A breaker's options, checked once and with their defaults filled in. */
export interface BreakerSettings {
  readonly name: string;
  readonly clock: Clock;
  readonly errorStacks: boolean;
  readonly random: Random;
  /** The failure window built from `options.window` (it validates its own options). */
  readonly window: FailureWindow;
  /** A time window needs the clock on every record; the others do not. */
  readonly windowNeedsTime: boolean;
  /** `Infinity` when `slowCallMs` is unset. */
  readonly slowCallMs: number;
  readonly tracksSlow: boolean;
  readonly openMs: number | Backoff;
  readonly probes: number;
  readonly rampUpMs: number;
  readonly rampStart: number;
  readonly isFailure: ((error: unknown) => boolean) | undefined;
}

/**
 * Validates a breaker's options in a fixed order (the first bad one is the
 * one reported) and fills in the defaults.
 *
 * @example
 * const settings = breakerSettings({ window: { kind: "consecutive", failureThreshold: 5 } });
 * settings.openMs; // 30000
 */
export function breakerSettings(options: CircuitBreakerOptions): BreakerSettings {
  requireOption(typeof options === "object" && options !== null, "circuitBreaker", "options", options, "an object");
  requireKnownOptions("circuitBreaker", options, KNOWN_OPTIONS);
  const name = options.name ?? "circuit";
  requireOption(typeof name === "string", "circuitBreaker", "name", name, "a string");
  const clock = options.clock ?? systemClock;
  const errorStacks = options.errorStacks !== false;
  const random = options.random ?? systemRandom;
  const window = createFailureWindow(options.window);
  const slow = options.slowCallMs;
  requireOption(
    slow === undefined || (typeof slow === "number" && slow >= 0),
    "circuitBreaker",
    "slowCallMs",
    slow,
    "a number >= 0",
  );
  const openMs = options.openMs ?? 30_000;
  requireOption(
    typeof openMs === "number" ? Number.isFinite(openMs) && openMs >= 0 : typeof openMs?.delayMs === "function",
    "circuitBreaker",
    "openMs",
    openMs,
    "a number >= 0 or a Backoff",
  );
  const probes = options.halfOpenProbes ?? 1;
  requireOption(Number.isInteger(probes) && probes >= 1, "circuitBreaker", "halfOpenProbes", probes, "an integer >= 1");
  const rampUpMs = options.rampUpMs ?? 0;
  requireOption(Number.isFinite(rampUpMs) && rampUpMs >= 0, "circuitBreaker", "rampUpMs", rampUpMs, "a number >= 0");
  const rampStart = options.rampUpStartFraction ?? 0.1;
  requireOption(
    typeof rampStart === "number" && rampStart >= 0 && rampStart <= 1,
    "circuitBreaker",
    "rampUpStartFraction",
    rampStart,
    "a ratio in 0..1",
  );
  requireOption(
    options.isFailure === undefined || typeof options.isFailure === "function",
    "circuitBreaker",
    "isFailure",
    options.isFailure,
    "a function",
  );
  return {
    name,
    clock,
    errorStacks,
    random,
    window,
    windowNeedsTime: options.window.kind === "time",
    slowCallMs: slow ?? Number.POSITIVE_INFINITY,
    tracksSlow: slow !== undefined,
    openMs,
    probes,
    rampUpMs,
    rampStart,
    isFailure: options.isFailure,
  };
}
