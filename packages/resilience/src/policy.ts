// Note for stage authors (R1, refining the contract; nothing removed):
// - `Policy.execute` takes an optional third argument, `ExecuteOptions`
//   (`{ idempotent }`); an `execute(op, signal)` that ignores it still
//   implements the interface. `wrap(...)` and every R1 stage honour it.
// - Pass to `next` the context you received (or one derived from it with the
//   `Execution` methods in execution-context.ts): the innermost step of a
//   pipeline reads the user's operation from it.
// - `context.signal` is cheap on a pipeline's root (a shared never-aborting
//   signal when the caller passed none), but below a timeout or hedge reading
//   it creates an AbortController: read it on the failure path only if you can.
// - `Execution.of(context).aborted` / `.callerAborted` / `.abortError()` tell
//   an abort without reading the signal.
// - Hot path (bench:resilience): each async hop (an async frame or a `.then`)
//   costs ~40-50 ns; `Events.has` showed up at ~4% of a pipeline's profile
//   when called twice per call: cache "somebody listens" in a field updated
//   by `on()`/unsubscribe (see `Retry#plain`).
// - Optional `forwardsFailure` / `run(next, context, onFailure)`: a stage
//   right below a retry that sets `forwardsFailure = true` gets the retry's
//   failure continuation and, on failure, returns `onFailure(error)` after
//   its own bookkeeping instead of rejecting: retry + that stage then cost
//   one promise hop instead of two. Stages without it work as before.
import type { Clock } from "@nines/core";

/**
 * What a policy hands to the function it runs. One context per execution of
 * the whole pipeline; `attempt` changes per retry or hedge.
 */
export interface ExecutionContext {
  /**
   * Aborts when the caller aborts, the overall deadline passes, a per-attempt
   * timeout fires, or a hedged sibling wins. Pass it to I/O (fetch, queries).
   */
  readonly signal: AbortSignal;
  /** 1 for the first call, 2 for the first retry or hedge, and so on. */
  readonly attempt: number;
  /** Absolute time (on the pipeline's clock) by which the whole execution must end; Infinity when none. */
  readonly deadline: number;
  /** Milliseconds left until `deadline` (Infinity when none, never negative). */
  remaining(): number;
}

/** The user's operation as a policy sees it. */
export type Operation<T> = (context: ExecutionContext) => PromiseLike<T> | T;

/**
 * The one contract every resilience policy implements. A policy is built
 * once (options validated then) and executed many times.
 *
 * @example
 * const policy = wrap(retry({ maxAttempts: 3, idempotent: true }), circuitBreaker({ ... }), timeout({ ms: 500 }));
 * const body = await policy.execute(({ signal }) => fetch(url, { signal }).then((r) => r.text()), callerSignal);
 */
export interface Policy {
  execute<T>(operation: Operation<T>, signal?: AbortSignal, options?: ExecuteOptions): Promise<T>;
}

/** Per-call options of `execute`. */
export interface ExecuteOptions {
  /**
   * Says whether this call may be repeated (retried or hedged) safely; when
   * set it wins over the policy's own `idempotent` option.
   */
  idempotent?: boolean;
}

/** What every policy's options may carry: the injected seams. */
export interface PolicyEnvironment {
  /** Defaults to the system clock. Tests and the simulator pass a ManualClock. */
  clock?: Clock;
}

/**
 * How `wrap` chains policies without normalising anything per call: each
 * policy runs `next` (the rest of the pipeline, built once) under its rule
 * with the current context, and may call it again (retry) or several times
 * at once (hedging) with a new context. `execute` of a single policy is
 * `run` with a fresh context. Every built-in policy implements this.
 */
export interface PipelineStage extends Policy {
  /**
   * `onFailure` is passed only to stages whose `forwardsFailure` is true (by
   * `wrap`, from a retry right above): such a stage, when its work fails,
   * does its own bookkeeping and then returns `onFailure(error)` instead of
   * rejecting with `error`. It lets a retry and the stage below it share one
   * promise hop on the success path.
   */
  run<T>(
    next: (context: ExecutionContext) => Promise<T>,
    context: ExecutionContext,
    onFailure?: (error: unknown) => Promise<T>,
  ): Promise<T>;
  /** True when `run` honours `onFailure` (optional; absent means false). */
  readonly forwardsFailure?: boolean;
}

/**
 * The `next` a stage receives from `wrap`: the rest of the pipeline. When
 * `forwardsFailure` is true it takes an `onFailure` continuation (see
 * {@link PipelineStage.run}); a stage that does not use it ignores it.
 *
 * @example
 * if ((next as Next<T>).forwardsFailure) return next(context, (error) => retryAfter(error));
 */
export type Next<T> = ((context: ExecutionContext, onFailure?: (error: unknown) => Promise<T>) => Promise<T>) & {
  forwardsFailure?: boolean;
};
