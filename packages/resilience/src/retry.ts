import {
  type Clock,
  Events,
  isNinesError,
  type Listener,
  type Random,
  requireKnownOptions,
  requireOption,
  systemClock,
  type Unsubscribe,
} from "@nines/core";
import {
  type Backoff,
  EXPONENTIAL_BACKOFF_OPTIONS,
  type ExponentialBackoffOptions,
  exponentialBackoff,
} from "./backoff.js";
import { RESILIENCE_ERRORS, ResilienceError } from "./errors.js";
import { Execution } from "./execution-context.js";
import { FORWARDS_FAILURE, type Next } from "./forwarding.js";
import { Pipeline } from "./pipeline.js";
import type { ExecuteOptions, ExecutionContext, Operation, PipelineStage, PolicyEnvironment } from "./policy.js";
import { retryAfterOf } from "./retry-after.js";
import type { RetryGate } from "./retry-budget.js";

/**
 * What one attempt ended with, as the retry predicates and `retryAfterMs` see it.
 *
 * @example
 * const wait = (outcome: Outcome) => (outcome.ok ? undefined : retryAfterOf(outcome.error));
 */
export type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/**
 * Why a retry policy stopped without a success.
 *
 * @example
 * policy.on("giveUp", ({ reason }) => reason === "notIdempotent" && log.warn("not retried: mark the call idempotent"));
 */
export type GiveUpReason =
  | "notRetryable"
  | "maxAttempts"
  | "notIdempotent"
  | "deadline"
  | "retryAfterTooLong"
  | "budgetExhausted"
  | "aborted";

/**
 * Events a retry policy emits (synchronous; free when nobody listens).
 *
 * @example
 * policy.on("retry", ({ attempt, delayMs }) => metrics.retries.inc({ attempt, delayMs }));
 */
export interface RetryEvents {
  /** The execution ended with a value the policy does not treat as a failure, after `attempts` attempts. */
  success: { attempts: number };
  /** An attempt failed (an error, or a value `isFailureResult` treats as a failure). */
  failure: { attempt: number; outcome: Outcome };
  /** A retry is scheduled: attempt number `attempt` starts after `delayMs`. */
  retry: { attempt: number; delayMs: number; outcome: Outcome };
  /** The execution ended without success after `attempts` attempts; the last outcome is returned or thrown. */
  giveUp: { attempts: number; reason: GiveUpReason; outcome: Outcome };
}

/**
 * Options of {@link retry}. Exact semantics in docs/resilience.md.
 *
 * @example
 * const options: RetryOptions = { maxAttempts: 3, idempotent: true, isFailure: retryableByDefault };
 */
export interface RetryOptions extends PolicyEnvironment {
  /** Attempts in all, INCLUDING the first call (default 3: one call and up to two retries; Infinity allowed). */
  maxAttempts?: number;
  /** The delays (default `exponentialBackoff({ random })`: 100 ms doubling to 30 s, full jitter); options or a {@link Backoff}. */
  backoff?: Backoff | ExponentialBackoffOptions;
  /** Jitter source when `backoff` is given as options. */
  random?: Random;
  /** Time budget from the start of the first attempt: no retry starts, and no sleep ends, after it (default Infinity). */
  maxElapsedMs?: number;
  /** A retry starts only when more than this remains before the deadline (default 0). */
  minAttemptMs?: number;
  /** Which errors are failures to retry (default {@link retryableByDefault}). A caller abort is never retried. */
  isFailure?: (error: unknown) => boolean;
  /** Which values are failures to retry (default none). When retries run out the last value is returned. */
  isFailureResult?: (value: unknown) => boolean;
  /** How long the server asked to wait, from an outcome (default: `details.retryAfterMs` of an error). */
  retryAfterMs?: (outcome: Outcome) => number | undefined;
  /** A server asking for a longer wait than this makes the policy give up (default 60000 ms). */
  maxRetryAfterMs?: number;
  /**
   * Whether the operation may be repeated (default false: a call that is not
   * safe to repeat, such as a payment, must not run twice). A failure that
   * would have been retried then rejects with its own code and says why it
   * was not retried (docs/resilience.md). `execute(op, signal, { idempotent })` wins.
   */
  idempotent?: boolean;
  /**
   * A retry budget shared by every call site of one dependency: each
   * execution calls `recordRequest()` once, each retry needs `tryRetry()`
   * to say yes (checked last, so only retries that really happen spend it).
   */
  budget?: RetryGate;
}

const KNOWN_OPTIONS = [
  "maxAttempts",
  "backoff",
  "random",
  "maxElapsedMs",
  "minAttemptMs",
  "isFailure",
  "isFailureResult",
  "retryAfterMs",
  "maxRetryAfterMs",
  "idempotent",
  "budget",
  "clock",
  "errorStacks",
];

const NEVER_RETRIED = new Set<string>([
  RESILIENCE_ERRORS.aborted,
  RESILIENCE_ERRORS.bulkheadFull,
  RESILIENCE_ERRORS.circuitOpen,
  RESILIENCE_ERRORS.throttled,
  RESILIENCE_ERRORS.notIdempotent,
]);

/**
 * The default error predicate: every error except a caller abort, a full
 * bulkhead, an open circuit, a local throttling rejection and a
 * not-idempotent refusal (retrying those adds load or cannot help; an open
 * circuit's `retryAfterMs` is the caller's to honour: include it in your own
 * `isFailure` and the retry waits that long). Timeouts, network errors and
 * server overload (with its Retry-After) are retried.
 *
 * @example
 * retry({ isFailure: (e) => retryableByDefault(e) || isNinesError(e, RESILIENCE_ERRORS.circuitOpen) });
 */
export function retryableByDefault(error: unknown): boolean {
  return !(isNinesError(error) && NEVER_RETRIED.has(error.code));
}

const defaultRetryAfter = (outcome: Outcome): number | undefined =>
  outcome.ok ? undefined : retryAfterOf(outcome.error);

/**
 * Retries failed attempts with (by default) truncated exponential backoff and
 * full jitter. Only idempotent operations are retried: say so with
 * `idempotent: true` here or per `execute`. A failure of an operation not
 * marked idempotent that would have been retried rejects with an error that
 * keeps the failure's nines code (so `isNinesError(e, code)` still matches),
 * says in its message and `details.notRetried` ("notIdempotent") why it was
 * not retried, and has the failure as its cause; a failure without a nines
 * code becomes `NINES_RESILIENCE_NOT_IDEMPOTENT`.
 *
 * @example
 * const policy = retry({
 *   maxAttempts: 4,                 // the first call + 3 retries
 *   backoff: { initialDelayMs: 100, maxDelayMs: 5000, jitter: "full" },
 *   maxElapsedMs: 10_000,
 *   idempotent: true,
 * });
 * policy.on("retry", (e) => metrics.retries.inc());
 * const user = await policy.execute(({ signal }) => api.getUser(id, { signal }));
 */
export class Retry implements PipelineStage {
  readonly #clock: Clock;
  readonly #errorStacks: boolean;
  readonly #backoff: Backoff;
  readonly #maxAttempts: number;
  readonly #maxElapsedMs: number;
  readonly #minAttemptMs: number;
  readonly #isFailure: (error: unknown) => boolean;
  readonly #isFailureResult: ((value: unknown) => boolean) | undefined;
  readonly #retryAfterMs: (outcome: Outcome) => number | undefined;
  readonly #maxRetryAfterMs: number;
  readonly #idempotent: boolean;
  readonly #budget: RetryGate | undefined;
  /** No result predicate and nobody listens to success: a success needs no look (kept up to date by `on`). */
  #plain: boolean;
  readonly #events = new Events<RetryEvents>();
  #alone: Pipeline | undefined;

  constructor(options: RetryOptions = {}) {
    requireOption(typeof options === "object" && options !== null, "retry", "options", options, "an object");
    requireKnownOptions("retry", options, KNOWN_OPTIONS);
    this.#clock = options.clock ?? systemClock;
    this.#errorStacks = options.errorStacks !== false;
    const max = options.maxAttempts ?? 3;
    requireOption(
      max === Number.POSITIVE_INFINITY || (Number.isInteger(max) && max >= 1),
      "retry",
      "maxAttempts",
      max,
      "an integer >= 1 (1: no retry) or Infinity",
    );
    this.#maxAttempts = max;
    const elapsed = options.maxElapsedMs ?? Number.POSITIVE_INFINITY;
    requireOption(typeof elapsed === "number" && elapsed >= 0, "retry", "maxElapsedMs", elapsed, "a number >= 0");
    this.#maxElapsedMs = elapsed;
    const minAttempt = options.minAttemptMs ?? 0;
    requireOption(
      typeof minAttempt === "number" && Number.isFinite(minAttempt) && minAttempt >= 0,
      "retry",
      "minAttemptMs",
      minAttempt,
      "a number >= 0",
    );
    this.#minAttemptMs = minAttempt;
    const maxRetryAfter = options.maxRetryAfterMs ?? 60_000;
    requireOption(
      typeof maxRetryAfter === "number" && maxRetryAfter >= 0,
      "retry",
      "maxRetryAfterMs",
      maxRetryAfter,
      "a number >= 0",
    );
    this.#maxRetryAfterMs = maxRetryAfter;
    const backoff = options.backoff;
    if (backoff !== undefined && typeof (backoff as Backoff).delayMs === "function") {
      this.#backoff = backoff as Backoff;
    } else {
      const given = (backoff ?? {}) as ExponentialBackoffOptions;
      requireOption(typeof given === "object" && given !== null, "retry", "backoff", given, "a Backoff or options");
      requireKnownOptions("retry backoff", given, EXPONENTIAL_BACKOFF_OPTIONS);
      this.#backoff = exponentialBackoff(
        options.random !== undefined && given.random === undefined ? { ...given, random: options.random } : given,
      );
    }
    for (const name of ["isFailure", "isFailureResult", "retryAfterMs"] as const) {
      const fn = options[name];
      requireOption(fn === undefined || typeof fn === "function", "retry", name, fn, "a function");
    }
    this.#isFailure = options.isFailure ?? retryableByDefault;
    this.#isFailureResult = options.isFailureResult;
    this.#plain = this.#isFailureResult === undefined;
    this.#retryAfterMs = options.retryAfterMs ?? defaultRetryAfter;
    const idempotent = options.idempotent ?? false;
    requireOption(typeof idempotent === "boolean", "retry", "idempotent", idempotent, "true or false");
    this.#idempotent = idempotent;
    const budget = options.budget;
    requireOption(
      budget === undefined || (typeof budget.recordRequest === "function" && typeof budget.tryRetry === "function"),
      "retry",
      "budget",
      budget,
      "a RetryGate (retryBudget())",
    );
    this.#budget = budget;
  }

  on<K extends keyof RetryEvents>(type: K, listener: Listener<RetryEvents[K]>): Unsubscribe {
    const off = this.#events.on(type, listener);
    this.#plain = this.#isFailureResult === undefined && !this.#events.has("success");
    return () => {
      off();
      this.#plain = this.#isFailureResult === undefined && !this.#events.has("success");
    };
  }

  execute<T>(operation: Operation<T>, signal?: AbortSignal, options?: ExecuteOptions): Promise<T> {
    this.#alone ??= new Pipeline([this]);
    return this.#alone.execute(operation, signal, options);
  }

  run<T>(next: (context: ExecutionContext) => Promise<T>, context: ExecutionContext): Promise<T> {
    const started = this.#maxElapsedMs === Number.POSITIVE_INFINITY ? 0 : this.#clock.now();
    this.#budget?.recordRequest();
    if (this.#plain) {
      // Common path: a success passes straight through; only a failure enters the retry loop.
      if ((next as Next<T>)[FORWARDS_FAILURE] === true) {
        // The stage below calls the continuation itself: no promise hop of our own.
        try {
          return (next as Next<T>)(context, (error) => this.#retry(next, context, started, { ok: false, error }));
        } catch (error) {
          return this.#retry(next, context, started, { ok: false, error });
        }
      }
      return start(next, context).then(undefined, (error: unknown) =>
        this.#retry(next, context, started, { ok: false, error }),
      );
    }
    return this.#first(start(next, context), next, context, started);
  }

  async #first<T>(
    pending: Promise<T>,
    next: (context: ExecutionContext) => Promise<T>,
    context: ExecutionContext,
    started: number,
  ): Promise<T> {
    let value: T;
    try {
      value = await pending;
    } catch (error) {
      return this.#retry(next, context, started, { ok: false, error });
    }
    if (this.#isFailureResult?.(value)) {
      return this.#retry(next, context, started, { ok: true, value });
    }
    if (this.#events.has("success")) this.#events.emit("success", { attempts: 1 });
    return value;
  }

  /** The retry loop, entered after the first attempt failed with `first`. */
  async #retry<T>(
    next: (context: ExecutionContext) => Promise<T>,
    context: ExecutionContext,
    started: number,
    first: Outcome,
  ): Promise<T> {
    let attempt = 1;
    let outcome = first;
    let previousDelay = 0;
    for (;;) {
      // Attempt number `attempt` failed with `outcome`.
      const execution = Execution.of(context);
      if (this.#events.has("failure")) this.#events.emit("failure", { attempt, outcome });
      if (execution.aborted) return this.#giveUp(attempt, "aborted", outcome, execution.abortError());
      if (!outcome.ok ? !this.#isFailure(outcome.error) : false) return this.#giveUp(attempt, "notRetryable", outcome);
      if (attempt >= this.#maxAttempts) return this.#giveUp(attempt, "maxAttempts", outcome);
      if (!(execution.idempotent ?? this.#idempotent)) {
        const refusal = outcome.ok ? undefined : notRetriedError(outcome.error, attempt, this.#errorStacks);
        return this.#giveUp(attempt, "notIdempotent", outcome, refusal);
      }
      let delay = this.#backoff.delayMs(attempt, previousDelay);
      previousDelay = delay;
      const asked = this.#retryAfterMs(outcome);
      if (asked !== undefined) {
        if (asked > this.#maxRetryAfterMs) return this.#giveUp(attempt, "retryAfterTooLong", outcome);
        if (asked > delay) delay = asked;
      }
      const budget = started + this.#maxElapsedMs;
      const deadlineAt = Math.min(budget, context.deadlineAt);
      if (deadlineAt !== Number.POSITIVE_INFINITY && !(this.#clock.now() + delay + this.#minAttemptMs < deadlineAt)) {
        return this.#giveUp(attempt, "deadline", outcome);
      }
      if (this.#budget !== undefined && !this.#budget.tryRetry())
        return this.#giveUp(attempt, "budgetExhausted", outcome);
      attempt++;
      this.#events.emit("retry", { attempt, delayMs: delay, outcome });
      if (delay > 0) {
        try {
          await this.#clock.sleep(delay, execution.abortable ? context.signal : undefined);
        } catch (reason) {
          return this.#giveUp(attempt - 1, "aborted", outcome, execution.abortError() ?? reason);
        }
      }
      if (execution.aborted) return this.#giveUp(attempt - 1, "aborted", outcome, execution.abortError());
      try {
        const value = await next(execution.withAttempt(context.attempt + attempt - 1));
        if (this.#isFailureResult === undefined || !this.#isFailureResult(value)) {
          if (this.#events.has("success")) this.#events.emit("success", { attempts: attempt });
          return value;
        }
        outcome = { ok: true, value };
      } catch (error) {
        outcome = { ok: false, error };
      }
    }
  }

  /** Ends the execution: returns a handled value, throws `override` or the last error. */
  #giveUp<T>(attempts: number, reason: GiveUpReason, outcome: Outcome, override?: unknown): T {
    this.#events.emit("giveUp", { attempts, reason, outcome });
    if (override !== undefined) throw override;
    if (outcome.ok) return outcome.value as T;
    throw outcome.error;
  }
}

/** Calls `next`, turning a synchronous throw into a rejection. */
function start<T>(next: (context: ExecutionContext) => Promise<T>, context: ExecutionContext): Promise<T> {
  try {
    return next(context);
  } catch (error) {
    return Promise.reject(error);
  }
}

const NOT_IDEMPOTENT_HINT =
  "if repeating the call is safe, pass idempotent: true to retry() or to execute(op, signal, { idempotent: true })";

/**
 * The error of a failure not retried because the operation is not marked
 * idempotent: it keeps the failure's nines code and details (so callers and
 * outer policies classify it as the failure itself), adds why in the message
 * and `details.notRetried`, and has the failure as its cause.
 */
function notRetriedError(cause: unknown, attempts: number, stack: boolean): ResilienceError {
  const why = "not retried: the operation is not marked idempotent";
  if (isNinesError(cause)) {
    return new ResilienceError(cause.code, `${cause.message} (${why})`, {
      hint: cause.hint === undefined ? NOT_IDEMPOTENT_HINT : `${NOT_IDEMPOTENT_HINT}; ${cause.hint}`,
      cause,
      details: { ...cause.details, notRetried: "notIdempotent", attempts },
      stack,
    });
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  return new ResilienceError(RESILIENCE_ERRORS.notIdempotent, `retry: ${message} (${why})`, {
    hint: NOT_IDEMPOTENT_HINT,
    cause,
    details: { notRetried: "notIdempotent", attempts },
    stack,
  });
}

/**
 * Builds a {@link Retry} policy; options are validated here.
 *
 * @example
 * const policy = retry({ maxAttempts: 3, idempotent: true, clock, random: new SeededRandom(1) });
 */
export function retry(options: RetryOptions = {}): Retry {
  return new Retry(options);
}
