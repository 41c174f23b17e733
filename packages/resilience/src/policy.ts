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
 * const policy = wrap(timeout({ ms: 500 }), retry({ maxAttempts: 3 }), breaker({ ... }));
 * const body = await policy.execute(({ signal }) => fetch(url, { signal }).then((r) => r.text()), callerSignal);
 */
export interface Policy {
  execute<T>(operation: Operation<T>, signal?: AbortSignal): Promise<T>;
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
  run<T>(next: (context: ExecutionContext) => Promise<T>, context: ExecutionContext): Promise<T>;
}
