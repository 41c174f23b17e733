import { NinesError, type NinesErrorOptions, OPTION_INVALID } from "@nines/core";

/**
 * Every error code `@nines/resilience` throws: the one list (docs/resilience.md
 * lists each, and `errors.test.ts` keeps the docs, this list and the sources
 * in step). Match with `isNinesError(error, CODE)` from `@nines/core`, never
 * with `instanceof`. Rejections caused by overload carry
 * `details.retryAfterMs` when known.
 *
 * @example
 * if (isNinesError(error, RESILIENCE_ERRORS.circuitOpen)) return cached(error.details.retryAfterMs);
 */
export const RESILIENCE_ERRORS = {
  /** The caller's AbortSignal aborted (also the abort reason of a losing hedge). Never counted as a dependency failure. */
  aborted: "NINES_RESILIENCE_ABORTED",
  /** A per-attempt timeout or the overall deadline passed. Counts as a failure. */
  timeout: "NINES_RESILIENCE_TIMEOUT",
  /** The bulkhead's slots and queue are full. Never counted as a dependency failure. */
  bulkheadFull: "NINES_RESILIENCE_BULKHEAD_FULL",
  /** The circuit is open or isolated, or half-open with its probes taken; `details.retryAfterMs` says when the next probe is allowed. */
  circuitOpen: "NINES_RESILIENCE_CIRCUIT_OPEN",
  /** Client-side adaptive throttling rejected the call locally. */
  throttled: "NINES_RESILIENCE_THROTTLED",
  /** The server shed or refused the request as overloaded (an HTTP 503/429 with Retry-After, or a nines guard rejection). Not a dependency failure for the breaker. */
  overloaded: "NINES_RESILIENCE_OVERLOADED",
  /** `httpFetch`: a response with a retryable status that is not an overload rejection (`details.status`). A dependency failure. */
  httpStatus: "NINES_RESILIENCE_HTTP_STATUS",
  /** `httpFetch`: no response because of the network (`details.kind`: refused, reset, timeout, dns, unreachable, other). A dependency failure. */
  network: "NINES_RESILIENCE_NETWORK",
  /** `retry`: a failure without a nines code of its own was not retried because the operation is not marked idempotent (cause: the failure). */
  notIdempotent: "NINES_RESILIENCE_NOT_IDEMPOTENT",
  /** The innermost step got a context no pipeline made: a custom stage passed `next` a context of its own. */
  foreignContext: "NINES_RESILIENCE_FOREIGN_CONTEXT",
  /** An option is invalid when a policy is built (`details.part`, `option`, `value`); from `@nines/core`. */
  optionInvalid: OPTION_INVALID,
} as const;

/** A code of {@link RESILIENCE_ERRORS}. */
export type ResilienceErrorCode = (typeof RESILIENCE_ERRORS)[keyof typeof RESILIENCE_ERRORS];

/**
 * The family of every error `@nines/resilience` throws at run time, so that a
 * stack trace says which part failed (options are rejected with core's
 * `OptionError`). The `code` is one of {@link RESILIENCE_ERRORS}, except
 * when `retry` declines to retry a nines error: it then keeps that error's
 * code (see docs/resilience.md, "Retry").
 *
 * @example
 * throw new ResilienceError(RESILIENCE_ERRORS.bulkheadFull, "bulkhead: 10 calls running; call rejected", {
 *   hint: "raise maxConcurrent", details: { maxConcurrent: 10 },
 * });
 */
export class ResilienceError extends NinesError {
  /**
   * `stack: false` builds the error without capturing a stack trace (see
   * `PolicyEnvironment.errorStacks`); the default captures one, as every error does.
   */
  constructor(code: string, message: string, options: NinesErrorOptions & { stack?: boolean } = {}) {
    if (options.stack !== false) {
      super(code, message, options);
      return;
    }
    // The limit is read when the stack is captured, inside Error's constructor; `this` is not touched before.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(code, message, options);
    } finally {
      Error.stackTraceLimit = limit;
    }
  }

  override get name(): string {
    return "ResilienceError";
  }
}
