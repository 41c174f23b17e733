import type { Clock } from "@nines/core";

/**
 * What a policy hands to the function it runs. One context per execution of
 * the whole pipeline; `attempt` changes per retry or hedge.
 *
 * @example
 * await policy.execute(({ signal, remainingMs }) => db.query(sql, { signal, timeoutMs: remainingMs() }));
 */
export interface ExecutionContext {
  /**
   * Aborts when the caller aborts, the overall deadline passes, a per-attempt
   * timeout fires, or a hedged sibling wins. Pass it to I/O (fetch, queries).
   */
  readonly signal: AbortSignal;
  /** 1 for the first call, 2 for the first retry or hedge, and so on. */
  readonly attempt: number;
  /** The instant (on the pipeline's clock) by which the whole execution must end; Infinity when none. */
  readonly deadlineAt: number;
  /** Milliseconds left until `deadlineAt` (Infinity when none, never negative). */
  remainingMs(): number;
}

/**
 * The user's operation as a policy sees it.
 *
 * @example
 * const load: Operation<string> = ({ signal }) => fetch(url, { signal }).then((r) => r.text());
 */
export type Operation<T> = (context: ExecutionContext) => PromiseLike<T> | T;

/**
 * The one contract every resilience policy implements. A policy is built
 * once (options validated then) and executed many times.
 *
 * @example
 * const policy = wrap(retry({ maxAttempts: 3, idempotent: true }), circuitBreaker({ ... }), timeout({ timeoutMs: 500 }));
 * const body = await policy.execute(({ signal }) => fetch(url, { signal }).then((r) => r.text()), callerSignal);
 */
export interface Policy {
  execute<T>(operation: Operation<T>, signal?: AbortSignal, options?: ExecuteOptions): Promise<T>;
}

/**
 * Per-call options of `execute`.
 *
 * @example
 * await policy.execute(({ signal }) => orders.get(id, { signal }), undefined, { idempotent: true });
 */
export interface ExecuteOptions {
  /**
   * Says whether this call may be repeated (retried or hedged) safely; when
   * set it wins over the policy's own `idempotent` option.
   */
  idempotent?: boolean;
}

/**
 * What every policy's options may carry: the injected seams.
 *
 * @example
 * const options: PolicyEnvironment = { clock: new ManualClock() };
 */
export interface PolicyEnvironment {
  /** Defaults to the system clock. Tests and the simulator pass a ManualClock. */
  clock?: Clock;
  /**
   * Whether the errors the policy makes itself (a breaker's refusal, a
   * timeout, a throttle's refusal, a retry's not-idempotent refusal, a lost
   * hedge) capture a stack trace (default true). A stack costs a few
   * microseconds and says only where the policy threw; `@nines/sim`, which
   * makes thousands a second, passes false.
   */
  errorStacks?: boolean;
}

/**
 * How `wrap` chains policies without normalising anything per call: each
 * policy runs `next` (the rest of the pipeline, built once) under its rule
 * with the current context, and may call it again (retry) or several times
 * at once (hedging) with a new context. `execute` of a single policy is
 * `run` with a fresh context. Every built-in policy implements this.
 *
 * A stage passes to `next` the context it received, or one derived from it
 * with `Execution.of(context)` (`withAttempt`, `withDeadline`): the innermost
 * step reads the user's operation from it.
 *
 * @example
 * const logging: PipelineStage = {
 *   run: (next, context) => next(context).finally(() => log.info("attempt", context.attempt)),
 *   execute: (operation, signal, options) => wrap(logging).execute(operation, signal, options),
 * };
 */
export interface PipelineStage extends Policy {
  run<T>(next: (context: ExecutionContext) => Promise<T>, context: ExecutionContext): Promise<T>;
}
