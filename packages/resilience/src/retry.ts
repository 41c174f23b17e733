import {
  type Clock,
  Events,
  isNinesError,
  type Listener,
  NinesError,
  type Random,
  requireOption,
  systemClock,
  type Unsubscribe,
} from "@nines/core";
import { type Backoff, type ExponentialBackoffOptions, exponentialBackoff } from "./backoff.js";
import { RESILIENCE_ERRORS } from "./errors.js";
import { Execution } from "./execution-context.js";
import { Pipeline } from "./pipeline.js";
import type { ExecuteOptions, ExecutionContext, Next, Operation, PipelineStage, PolicyEnvironment } from "./policy.js";
import { retryAfterOf } from "./retry-after.js";
import type { RetryGate } from "./retry-budget.js";

/** What one attempt ended with, as the retry predicates and `retryAfterMs` see it. */
export type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/** Why a retry policy stopped without a success. */
export type GiveUpReason =
  | "notRetryable"
  | "maxAttempts"
  | "notIdempotent"
  | "deadline"
  | "retryAfterTooLong"
  | "budgetExhausted"
  | "aborted";

/** Events a retry policy emits (synchronous; free when nobody listens). */
export interface RetryEvents {
  /** The execution ended with a value the policy does not treat as a failure, after `attempts` attempts. */
  success: { attempts: number };
  /** An attempt failed (an error, or a value `handleResult` treats as a failure). */
  failure: { attempt: number; outcome: Outcome };
  /** A retry is scheduled: attempt number `attempt` starts after `delayMs`. */
  retry: { attempt: number; delayMs: number; outcome: Outcome };
  /** The execution ended without success after `attempts` attempts; the last outcome is returned or thrown. */
  giveUp: { attempts: number; reason: GiveUpReason; outcome: Outcome };
}

/** Options of {@link retry}. Exact semantics in docs/resilience.md. */
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
  /** Which errors are retried (default {@link retryableByDefault}). A caller abort is never retried. */
  handle?: (error: unknown) => boolean;
  /** Which values are failures to retry (default none). When retries run out the last value is returned. */
  handleResult?: (value: unknown) => boolean;
  /** How long the server asked to wait, from an outcome (default: `details.retryAfterMs` of an error). */
  retryAfterMs?: (outcome: Outcome) => number | undefined;
  /** A server asking for a longer wait than this makes the policy give up (default 60000 ms). */
  maxRetryAfterMs?: number;
  /** Whether the operation may be repeated (default false: no retry). `execute(op, signal, { idempotent })` wins. */
  idempotent?: boolean;
  /**
   * A retry budget shared by every call site of one dependency: each
   * execution calls `recordRequest()` once, each retry needs `tryRetry()`
   * to say yes (checked last, so only retries that really happen spend it).
   */
  budget?: RetryGate;
}

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
 * `handle` and the retry waits that long). Timeouts and server overload
 * (with its Retry-After) are retried.
 *
 * @example
 * retry({ handle: (e) => retryableByDefault(e) || isNinesError(e, "NINES_RESILIENCE_CIRCUIT_OPEN") });
 */
export function retryableByDefault(error: unknown): boolean {
  return !(isNinesError(error) && NEVER_RETRIED.has(error.code));
}

const defaultRetryAfter = (outcome: Outcome): number | undefined =>
  outcome.ok ? undefined : retryAfterOf(outcome.error);

/**
 * Retries failed attempts with (by default) truncated exponential backoff and
 * full jitter. Only idempotent operations are retried: say so with
 * `idempotent: true` here or per `execute`. A non-idempotent operation whose
 * failure would have been retried rejects with `NINES_RESILIENCE_NOT_IDEMPOTENT`
 * (cause: the original error).
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
  readonly #backoff: Backoff;
  readonly #maxAttempts: number;
  readonly #maxElapsedMs: number;
  readonly #minAttemptMs: number;
  readonly #handle: (error: unknown) => boolean;
  readonly #handleResult: ((value: unknown) => boolean) | undefined;
  readonly #retryAfterMs: (outcome: Outcome) => number | undefined;
  readonly #maxRetryAfterMs: number;
  readonly #idempotent: boolean;
  readonly #budget: RetryGate | undefined;
  /** No result predicate and nobody listens to success: a success needs no look (kept up to date by `on`). */
  #plain: boolean;
  readonly #events = new Events<RetryEvents>();
  #alone: Pipeline | undefined;

  constructor(options: RetryOptions = {}) {
    this.#clock = options.clock ?? systemClock;
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
    requireOption(typeof elapsed === "number" && elapsed >= 0, "retry", "maxElapsedMs", elapsed, ">= 0");
    this.#maxElapsedMs = elapsed;
    const minAttempt = options.minAttemptMs ?? 0;
    requireOption(Number.isFinite(minAttempt) && minAttempt >= 0, "retry", "minAttemptMs", minAttempt, ">= 0");
    this.#minAttemptMs = minAttempt;
    const maxRetryAfter = options.maxRetryAfterMs ?? 60_000;
    requireOption(
      typeof maxRetryAfter === "number" && maxRetryAfter >= 0,
      "retry",
      "maxRetryAfterMs",
      maxRetryAfter,
      ">= 0",
    );
    this.#maxRetryAfterMs = maxRetryAfter;
    const backoff = options.backoff;
    if (backoff !== undefined && typeof (backoff as Backoff).delayMs === "function") {
      this.#backoff = backoff as Backoff;
    } else {
      const given = (backoff ?? {}) as ExponentialBackoffOptions;
      this.#backoff = exponentialBackoff(
        options.random !== undefined && given.random === undefined ? { ...given, random: options.random } : given,
      );
    }
    for (const name of ["handle", "handleResult", "retryAfterMs"] as const) {
      const fn = options[name];
      requireOption(fn === undefined || typeof fn === "function", "retry", name, fn, "a function");
    }
    this.#handle = options.handle ?? retryableByDefault;
    this.#handleResult = options.handleResult;
    this.#plain = this.#handleResult === undefined;
    this.#retryAfterMs = options.retryAfterMs ?? defaultRetryAfter;
    this.#idempotent = options.idempotent ?? false;
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
    this.#plain = this.#handleResult === undefined && !this.#events.has("success");
    return () => {
      off();
      this.#plain = this.#handleResult === undefined && !this.#events.has("success");
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
      // (Closures here are passed inline, never bound to a name: tsx/esbuild's keepNames
      // would otherwise wrap each one in a defineProperty call, per call.)
      if ((next as Next<T>).forwardsFailure === true) {
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
    if (this.#handleResult?.(value)) {
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
      if (!outcome.ok ? !this.#handle(outcome.error) : false) return this.#giveUp(attempt, "notRetryable", outcome);
      if (attempt >= this.#maxAttempts) return this.#giveUp(attempt, "maxAttempts", outcome);
      if (!(execution.idempotent ?? this.#idempotent)) {
        const refusal = outcome.ok ? undefined : notIdempotentError(outcome.error, attempt);
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
      const deadline = Math.min(budget, context.deadline);
      if (deadline !== Number.POSITIVE_INFINITY && !(this.#clock.now() + delay + this.#minAttemptMs < deadline)) {
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
        if (this.#handleResult === undefined || !this.#handleResult(value)) {
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

function notIdempotentError(cause: unknown, attempts: number): NinesError {
  return new NinesError(
    RESILIENCE_ERRORS.notIdempotent,
    "retry: the operation failed and was not retried because it is not marked idempotent",
    {
      hint: "if repeating the call is safe, pass idempotent: true to retry() or to execute(op, signal, { idempotent: true })",
      cause,
      details: { attempts },
    },
  );
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
