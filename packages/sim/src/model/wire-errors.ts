import { httpStatusError, type NetworkErrorKind, networkErrorOfKind, type ResilienceError } from "@nines/resilience";

// The simulator's wire hands a client exactly the errors `httpFetch` would throw, built by resilience's own
// mapping, so the real retry and breaker treat them as in production. None has a stack: it would only say
// where the simulator stood, and a stack costs microseconds (a zone loss makes thousands a second).

/**
 * A nines guard's refusal as the client sees it: a 503 with
 * `x-nines-rejected` and `Retry-After` in whole seconds, which is
 * `NINES_RESILIENCE_OVERLOADED` (retried after `retryAfterMs`, never a
 * breaker failure).
 *
 * @example
 * overloadedError("inventory", "shed", 1000).details.retryAfterMs; // 1000
 */
export function overloadedError(target: string, rejected: string, retryAfterMs: number): ResilienceError {
  return httpStatusError({
    status: 503,
    statusText: "Service Unavailable",
    url: `http://${target}/`,
    rejected,
    retryAfterMs,
    stack: false,
  });
}

/**
 * A 5xx answer without a refusal header: 503 when one of the service's own
 * required calls failed (as ClickTravel answers) or when its load balancer
 * has no instance in rotation, 500 for an injected error. A dependency failure
 * (`NINES_RESILIENCE_HTTP_STATUS`) that retries and breakers count.
 *
 * @example
 * statusError("web", 503).details.status; // 503
 */
export function statusError(target: string, status: 500 | 503): ResilienceError {
  return httpStatusError({ status, statusText: STATUS_TEXT[status], url: `http://${target}/`, stack: false });
}

/**
 * No answer because the instance is down: `refused` for a new connection
 * to a crashed process, `reset` for a request that was inside it.
 * `NINES_RESILIENCE_NETWORK`, a dependency failure.
 *
 * @example
 * networkFailure("orders", "refused").details.kind; // "refused"
 */
export function networkFailure(target: string, kind: Extract<NetworkErrorKind, "refused" | "reset">): ResilienceError {
  return networkErrorOfKind(kind, `GET http://${target}/`, { causeCode: CAUSE_CODE[kind], stack: false });
}

const STATUS_TEXT = { 500: "Internal Server Error", 503: "Service Unavailable" } as const;
const CAUSE_CODE = { refused: "ECONNREFUSED", reset: "ECONNRESET" } as const;
