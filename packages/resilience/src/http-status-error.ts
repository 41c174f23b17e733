import { RESILIENCE_ERRORS, ResilienceError } from "./errors.js";

/**
 * The header nines's server guard sets when it refuses a request: `shed`, `quarantined` or `draining`.
 *
 * @example
 * response.headers.get(REJECTED_HEADER); // "shed" when the server dropped the request under load
 */
export const REJECTED_HEADER = "x-nines-rejected";

/**
 * A response with a retryable status, as {@link httpStatusError} reads it.
 *
 * @example
 * const answer: HttpStatusAnswer = { status: 503, url: "http://inventory/", rejected: "shed", retryAfterMs: 1000 };
 */
export interface HttpStatusAnswer {
  status: number;
  /** The reason phrase, when the response had one ("Bad Gateway"). */
  statusText?: string;
  url: string;
  /** Default GET. */
  method?: string;
  /** The `Retry-After` header, parsed into milliseconds. */
  retryAfterMs?: number;
  /** The {@link REJECTED_HEADER} header: a nines guard refused the request. */
  rejected?: string;
  /** False builds the error without a stack trace (as `PolicyEnvironment.errorStacks`); default true. */
  stack?: boolean;
}

/**
 * The error {@link httpFetch} throws for a response with a retryable
 * status: a 503 or 429 that a server sent as a refusal (`x-nines-rejected`
 * or `Retry-After`) is `NINES_RESILIENCE_OVERLOADED` (retried after
 * `details.retryAfterMs`, never a breaker failure); any other is
 * `NINES_RESILIENCE_HTTP_STATUS`, a dependency failure. The one mapping,
 * shared with code that stands in for HTTP (the simulator's wire).
 *
 * @example
 * httpStatusError({ status: 503, url: "http://inventory/", rejected: "shed", retryAfterMs: 1000 }).code;
 * // "NINES_RESILIENCE_OVERLOADED"
 * httpStatusError({ status: 502, statusText: "Bad Gateway", url: "http://web/" }).details.status; // 502
 */
export function httpStatusError(answer: HttpStatusAnswer): ResilienceError {
  const { status, url, retryAfterMs, rejected } = answer;
  const what = `${answer.method ?? "GET"} ${url} answered ${status}${answer.statusText ? ` ${answer.statusText}` : ""}`;
  const details: Record<string, unknown> = { status, url };
  if (retryAfterMs !== undefined) details.retryAfterMs = retryAfterMs;
  const after = retryAfterMs === undefined ? "" : `; retry after ${retryAfterMs} ms`;
  const stack = answer.stack === undefined ? {} : { stack: answer.stack };
  if ((status === 503 || status === 429) && (rejected !== undefined || retryAfterMs !== undefined)) {
    if (rejected !== undefined) details.rejected = rejected;
    const why =
      rejected === undefined ? "the server is overloaded" : `the server refused it: ${REJECTED_HEADER}: ${rejected}`;
    return new ResilienceError(RESILIENCE_ERRORS.overloaded, `${what} (${why})${after}`, {
      hint: "back off: wait details.retryAfterMs before retrying, and keep retries within a budget",
      details,
      ...stack,
    });
  }
  return new ResilienceError(RESILIENCE_ERRORS.httpStatus, `${what}, a retryable failure${after}`, {
    hint: "the dependency failed; retry with backoff (idempotent requests only) and let the circuit breaker count it",
    details,
    ...stack,
  });
}
