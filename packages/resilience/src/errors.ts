/**
 * Stable error codes of `@nines/resilience`. Match with
 * `isNinesError(error, CODE)` from `@nines/core`, never with `instanceof`.
 * Rejections caused by overload carry `details.retryAfterMs` when known.
 *
 * @example
 * if (isNinesError(error, RESILIENCE_ERRORS.circuitOpen)) return cached(error.details.retryAfterMs);
 */
export const RESILIENCE_ERRORS = {
  /** The caller's AbortSignal aborted. Never counted as a dependency failure. */
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
  /** A non-idempotent operation was not retried; the original error is the cause. */
  notIdempotent: "NINES_RESILIENCE_NOT_IDEMPOTENT",
} as const;

export type ResilienceErrorCode = (typeof RESILIENCE_ERRORS)[keyof typeof RESILIENCE_ERRORS];
