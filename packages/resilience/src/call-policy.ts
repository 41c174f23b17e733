import { type Random, requireKnownOptions, requireOption, systemRandom } from "@nines/core";
import { type Backoff, constantBackoff, exponentialBackoff } from "./backoff.js";
import { type CircuitBreaker, circuitBreaker } from "./circuit-breaker.js";
import { type Pipeline, wrap } from "./pipeline.js";
import type { PipelineStage, PolicyEnvironment } from "./policy.js";
import { type Retry, retry } from "./retry.js";
import { type RetryBudget, retryBudget } from "./retry-budget.js";
import { type Timeout, timeout } from "./timeout.js";

/**
 * How the wait between retries grows, in a call description (the spec's
 * `backoff`); `null` or `none`: retries go at once.
 *
 * @example
 * const backoff: CallBackoff = "exponential";
 */
export type CallBackoff = "exponential" | "linear" | "constant" | "none";

/**
 * How a caller calls one dependency, in the words of a spec's `calls`
 * entry (the planner's `Call` fits, and so does the JSON in ClickTravel's
 * `NINES_CALLS`). Absent or null fields mean "no such policy".
 *
 * @example
 * const orders: CallDescription = { target: "orders", retries: 2, backoff: "exponential", jitter: true, breaker: true, budget: 0.2 };
 */
export interface CallDescription {
  /** The callee, a service or store name; the breaker and budget are named after it. */
  target: string;
  /** A soft dependency (the caller degrades instead of failing). Not a policy: the caller's fallback decides. */
  optional?: boolean;
  /** Retries after the first attempt: `maxAttempts = retries + 1` (default 0: no retry stage). */
  retries?: number;
  /** How the wait between retries grows (default none: retries go at once). */
  backoff?: CallBackoff | null;
  /** Full jitter on the backoff (default false). */
  jitter?: boolean;
  /** A circuit breaker guards the call (default false). */
  breaker?: boolean;
  /** A retry budget: retries stay within this share of the call's requests, in [0, 1] (default none). */
  budget?: number | null;
  /** The time limit of one attempt, in ms (default none). */
  timeoutMs?: number | null;
  /** The planner's `Call` carries it; ignored here. */
  targetKind?: string;
}

/**
 * Options of {@link callPolicy}: the injected seams, the name of the
 * breaker and budget, and an optional shared budget.
 *
 * @example
 * const options: CallPolicyOptions = { clock: new ManualClock(0), random: new SeededRandom(1), name: "web->orders" };
 */
export interface CallPolicyOptions extends PolicyEnvironment {
  /** Jitter and the breaker's ramp coin (default the system random). */
  random?: Random;
  /** Names the breaker (events, metrics, errors); default the description's `target`. */
  name?: string;
  /**
   * A retry budget shared with other call sites of the same dependency,
   * used instead of building one when the description sets `budget`.
   */
  budget?: RetryBudget;
}

/**
 * The policies {@link callPolicy} built: the pipeline to execute calls
 * with, and each stage (undefined when the description does not ask for
 * it), to read a breaker's state or a budget's balance.
 *
 * @example
 * const { pipeline, breaker } = callPolicy({ target: "orders", retries: 2, breaker: true });
 * breaker?.state; // "closed"
 */
export interface CallPolicy {
  readonly pipeline: Pipeline;
  readonly retry: Retry | undefined;
  readonly breaker: CircuitBreaker | undefined;
  /** The budget this call site retries within: the shared one passed in, or the one built from `budget`. */
  readonly budget: RetryBudget | undefined;
  readonly timeout: Timeout | undefined;
}

/**
 * The fixed parts of a spec'd call that a description does not carry: the
 * first retry's delay before jitter (the step of linear and constant
 * backoffs too), and the breaker `breaker: true` stands for (half of the
 * last 20 calls failed, 10 at least; open 5 s).
 *
 * @example
 * CALL_POLICY_DEFAULTS.backoffBaseMs; // 100
 */
export const CALL_POLICY_DEFAULTS = Object.freeze({
  backoffBaseMs: 100,
  breaker: Object.freeze({
    window: Object.freeze({ kind: "count", size: 20, minimumCalls: 10, failureRateThreshold: 0.5 } as const),
    openMs: 5000,
  }),
});

const DESCRIPTION_KEYS = [
  "target",
  "optional",
  "retries",
  "backoff",
  "jitter",
  "breaker",
  "budget",
  "timeoutMs",
  "targetKind",
];
const OPTION_KEYS = ["clock", "random", "name", "budget", "errorStacks"];
const BACKOFFS: readonly (CallBackoff | null | undefined)[] = [
  "exponential",
  "linear",
  "constant",
  "none",
  null,
  undefined,
];

/**
 * Builds the resilience pipeline a call description asks for, outermost
 * first: retry (`retries: n` is `maxAttempts: n + 1`, with the backoff,
 * full jitter when `jitter` is true, and a retry budget of `budget` of the
 * requests when set), circuit breaker (`breaker: true`,
 * {@link CALL_POLICY_DEFAULTS}), per-attempt timeout (`timeoutMs`). A
 * policy the description does not name is absent, so `{ target }` alone
 * gives an empty pipeline that runs the call once. The one function that
 * services (ClickTravel) and the simulator build spec'd calls with.
 *
 * The retry treats the call as idempotent: a description that retries a
 * call says repeating it is safe (give the call a client request id). Pass
 * `execute(op, signal, { idempotent: false })` for a call that is not.
 *
 * @example
 * const orders = callPolicy(
 *   { target: "orders", retries: 2, backoff: "exponential", jitter: true, breaker: true, budget: 0.2, timeoutMs: 500 },
 *   { clock, random },
 * );
 * const get = httpFetch();
 * const response = await orders.pipeline.execute((context) => get(context, `${ordersUrl}/bookings`), request.signal);
 */
export function callPolicy(description: CallDescription, options: CallPolicyOptions = {}): CallPolicy {
  requireOption(
    typeof description === "object" && description !== null,
    "callPolicy",
    "description",
    description,
    "an object such as { target: 'orders', retries: 2 }",
  );
  requireKnownOptions("callPolicy", description, DESCRIPTION_KEYS);
  requireOption(typeof options === "object" && options !== null, "callPolicy", "options", options, "an object");
  requireKnownOptions("callPolicy", options, OPTION_KEYS);
  const { target } = description;
  requireOption(typeof target === "string" && target.length > 0, "callPolicy", "target", target, "a non-empty name");
  const retries = description.retries ?? 0;
  requireOption(Number.isInteger(retries) && retries >= 0, "callPolicy", "retries", retries, "an integer >= 0");
  requireOption(
    BACKOFFS.includes(description.backoff),
    "callPolicy",
    "backoff",
    description.backoff,
    "exponential, linear, constant, none or null",
  );
  for (const flag of ["optional", "jitter", "breaker"] as const) {
    const value = description[flag];
    requireOption(value === undefined || typeof value === "boolean", "callPolicy", flag, value, "a boolean");
  }
  const ratio = description.budget ?? null;
  requireOption(
    ratio === null || (typeof ratio === "number" && ratio >= 0 && ratio <= 1),
    "callPolicy",
    "budget",
    ratio,
    "a ratio in 0..1 (0.2 for 20%) or null",
  );
  const timeoutMs = description.timeoutMs ?? null;
  requireOption(
    timeoutMs === null || (typeof timeoutMs === "number" && timeoutMs > 0),
    "callPolicy",
    "timeoutMs",
    timeoutMs,
    "a number > 0 or null",
  );
  const clock = options.clock;
  const random = options.random ?? systemRandom;
  const name = options.name ?? target;
  const env = {
    ...(clock === undefined ? {} : { clock }),
    ...(options.errorStacks === undefined ? {} : { errorStacks: options.errorStacks }),
  };

  const stages: PipelineStage[] = [];
  let retryStage: Retry | undefined;
  let budget: RetryBudget | undefined;
  if (retries > 0) {
    if (ratio !== null) budget = options.budget ?? retryBudget({ ratio, ...(clock === undefined ? {} : { clock }) });
    retryStage = retry({
      maxAttempts: retries + 1,
      backoff: backoffOf(description, random),
      idempotent: true,
      ...env,
      ...(budget === undefined ? {} : { budget }),
    });
    stages.push(retryStage);
  }
  const breaker = description.breaker
    ? circuitBreaker({ ...CALL_POLICY_DEFAULTS.breaker, name, random, ...env })
    : undefined;
  if (breaker !== undefined) stages.push(breaker);
  const timeoutStage = timeoutMs === null ? undefined : timeout({ timeoutMs, ...env });
  if (timeoutStage !== undefined) stages.push(timeoutStage);
  return { pipeline: wrap(...stages), retry: retryStage, breaker, budget, timeout: timeoutStage };
}

function backoffOf(description: CallDescription, random: Random): Backoff {
  const base = CALL_POLICY_DEFAULTS.backoffBaseMs;
  const jitter = description.jitter === true;
  switch (description.backoff) {
    case "exponential":
      return exponentialBackoff({ initialDelayMs: base, jitter: jitter ? "full" : "none", random });
    case "linear":
      return { delayMs: (retryNumber) => base * retryNumber * (jitter ? random.next() : 1) };
    case "constant":
      return jitter ? { delayMs: () => base * random.next() } : constantBackoff(base);
    default:
      // No backoff: retries go at once (the retry storm the planner's rules warn about).
      return constantBackoff(0);
  }
}
