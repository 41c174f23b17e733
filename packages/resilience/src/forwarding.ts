import type { ExecutionContext } from "./policy.js";

/**
 * How the built-in stages let a retry and the stage right below it share one
 * promise hop: `wrap` hands such a stage the retry's failure continuation,
 * and the stage, when its work fails, does its own bookkeeping and returns
 * `onFailure(error)` instead of rejecting. Internal: not exported from the
 * package, so the public contract stays `run(next, context)`.
 *
 * @example
 * const run: ForwardingRun = (next, context, onFailure) =>
 *   next(context).then(undefined, (error) => (onFailure ? onFailure(error) : Promise.reject(error)));
 */
export type ForwardingRun = <T>(
  next: (context: ExecutionContext) => Promise<T>,
  context: ExecutionContext,
  onFailure: ((error: unknown) => Promise<T>) | undefined,
) => Promise<T>;

/**
 * Marks a `next` built by `wrap` whose stage takes a failure continuation.
 *
 * @example
 * if ((next as Next<T>)[FORWARDS_FAILURE] === true) return next(context, (error) => retryAfter(error));
 */
export const FORWARDS_FAILURE: unique symbol = Symbol("nines.forwardsFailure");

/**
 * The `next` a stage receives from `wrap`; a retry passes `onFailure` when `[FORWARDS_FAILURE]` is set.
 *
 * @example
 * const next: Next<unknown> = (context) => stage.run(inner, context);
 */
export type Next<T> = ((context: ExecutionContext, onFailure?: (error: unknown) => Promise<T>) => Promise<T>) & {
  [FORWARDS_FAILURE]?: true;
};

const runs = new WeakMap<object, ForwardingRun>();

/**
 * Registers a stage's forwarding `run` (called once, when the stage is built).
 *
 * @example
 * forwardFailures(this, (next, context, onFailure) => this.#run(next, context, onFailure));
 */
export function forwardFailures(stage: object, run: ForwardingRun): void {
  runs.set(stage, run);
}

/**
 * The stage's forwarding `run`, if it registered one (read once, when a pipeline is built).
 *
 * @example
 * const forwarding = forwardingRunOf(stage); // undefined for a stage written outside this package
 */
export function forwardingRunOf(stage: object): ForwardingRun | undefined {
  return runs.get(stage);
}
