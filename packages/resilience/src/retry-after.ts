const SECONDS = /^\s*(\d+(?:\.\d+)?)\s*$/;
/** Every HTTP-date form (IMF-fixdate, RFC 850, asctime) starts with the day's name. */
const HTTP_DATE = /^\s*(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? /;

/**
 * Parses an HTTP `Retry-After` value, either delay-seconds (`"120"`) or an
 * HTTP date (`"Wed, 21 Oct 2015 07:28:00 GMT"`), into milliseconds from
 * the instant `now` (take it from the policy's clock). A date in the past gives 0.
 * Anything else gives undefined.
 *
 * @example
 * parseRetryAfter("2", clock.now());                              // 2000
 * parseRetryAfter("Thu, 01 Jan 1970 00:00:10 GMT", 4000);          // 6000
 * parseRetryAfter("soon", clock.now());                           // undefined
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const seconds = SECONDS.exec(value);
  if (seconds !== null) return Number(seconds[1]) * 1000;
  if (!HTTP_DATE.test(value)) return undefined;
  // Date.parse only reads the string here; "now" comes from the caller's clock.
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return at > now ? at - now : 0;
}

/**
 * The `retryAfterMs` an error carries in `details` (nines overload and
 * circuit-open rejections, the HTTP helper's errors), or undefined.
 *
 * @example
 * retryAfterOf(new ResilienceError(RESILIENCE_ERRORS.overloaded, "busy", { details: { retryAfterMs: 500 } })); // 500
 */
export function retryAfterOf(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const details = (error as { details?: unknown }).details;
  if (typeof details !== "object" || details === null) return undefined;
  const ms = (details as { retryAfterMs?: unknown }).retryAfterMs;
  return typeof ms === "number" && ms >= 0 && Number.isFinite(ms) ? ms : undefined;
}
