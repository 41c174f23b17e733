import { isNinesError } from "@nines/core";
import { RESILIENCE_ERRORS } from "./errors.js";
import { Execution } from "./execution-context.js";
import type { ExecutionContext } from "./policy.js";

/** Codes that say nothing about the dependency's health: the call never reached it, or the caller gave up. */
const NOT_THE_DEPENDENCY = new Set<string>([
  RESILIENCE_ERRORS.aborted,
  RESILIENCE_ERRORS.bulkheadFull,
  RESILIENCE_ERRORS.overloaded,
  RESILIENCE_ERRORS.throttled,
  RESILIENCE_ERRORS.circuitOpen,
]);

/**
 * True when an error must not count as a failure of the dependency: a nines
 * rejection that happened before or instead of the call (bulkhead full,
 * circuit open, throttled), a server's explicit overload rejection, or an
 * abort of the context by the caller or a winning hedge. An error thrown
 * after the context aborted counts as that abort, except when the abort is
 * a nines timeout (a timeout is a failure). Only called on the failure path:
 * it may read the context's signal.
 *
 * @example
 * if (!isNotDependencyFailure(error, context)) failures++;
 */
export function isNotDependencyFailure(error: unknown, context: ExecutionContext): boolean {
  if (isNinesError(error)) {
    if (NOT_THE_DEPENDENCY.has(error.code)) return true;
    if (error.code === RESILIENCE_ERRORS.timeout) return false;
  }
  const execution = Execution.of(context);
  if (!execution.aborted) return false;
  return !isNinesError(execution.abortError(), RESILIENCE_ERRORS.timeout);
}
