import { type Clock, OPTION_INVALID, OptionError, requireKnownOptions, requireOption, systemClock } from "@nines/core";
import type { ResilienceError } from "./errors.js";
import { httpStatusError, REJECTED_HEADER } from "./http-status-error.js";
import { networkError } from "./network-error.js";
import type { ExecutionContext } from "./policy.js";
import { parseRetryAfter } from "./retry-after.js";

/**
 * The default retryable statuses: 408, 429, 500, 502, 503, 504.
 *
 * @example
 * const get = httpFetch({ retryableStatuses: [...DEFAULT_RETRYABLE_STATUSES, 425] });
 */
export const DEFAULT_RETRYABLE_STATUSES: readonly number[] = Object.freeze([408, 429, 500, 502, 503, 504]);

/**
 * What the helper needs of a response: global fetch's and undici's both fit.
 *
 * @example
 * const response: FetchResponseLike = await fetch(url);
 */
export interface FetchResponseLike {
  readonly status: number;
  readonly statusText?: string;
  readonly headers: { get(name: string): string | null };
  readonly body: { cancel(reason?: unknown): Promise<void> } | null;
}

/**
 * A `fetch`-compatible function: the global `fetch`, undici's `fetch`, or a wrapper of them.
 *
 * @example
 * const viaProxy: FetchLike<Response> = (input, init) => fetch(input, { ...init, dispatcher: proxyAgent });
 */
// biome-ignore lint/suspicious/noExplicitAny: fetch implementations type their input and init differently
export type FetchLike<R extends FetchResponseLike> = (input: any, init?: any) => Promise<R>;

/**
 * Options of {@link httpFetch}.
 *
 * @example
 * const options: HttpFetchOptions<typeof fetch> = { retryableStatuses: [502, 503, 504] };
 */
export interface HttpFetchOptions<F extends FetchLike<FetchResponseLike>> {
  /** The fetch to call (default `globalThis.fetch`); pass undici's `fetch` to use its dispatcher options. */
  fetch?: F;
  /** Statuses turned into errors so that retry and breaker see them (default {@link DEFAULT_RETRYABLE_STATUSES}). */
  retryableStatuses?: readonly number[];
  /** For `Retry-After` HTTP dates (default the system clock). */
  clock?: Clock;
}

const KNOWN_OPTIONS = ["fetch", "retryableStatuses", "clock"];

/**
 * The function {@link httpFetch} returns: the wrapped fetch's input, init and response types, plus the context.
 *
 * @example
 * const get: HttpCall<typeof fetch> = httpFetch();
 * const response = await policy.execute((context) => get(context, url));
 */
export type HttpCall<F extends FetchLike<FetchResponseLike>> = (
  context: ExecutionContext,
  input: Parameters<F>[0],
  init?: Parameters<F>[1],
) => Promise<Awaited<ReturnType<F>>>;

/** Init options with a signal, as both fetch implementations take them. */
interface InitWithSignal {
  signal?: AbortSignal | null;
  method?: string;
}

/**
 * Wraps a `fetch` so that its responses speak the resilience policies'
 * language. Returns `call(context, input, init?)`, to use inside `execute`:
 *
 * - passes `context.signal` to fetch (combined with `init.signal` if any);
 * - a status in `retryableStatuses` throws instead of returning, after the
 *   body is cancelled (so the socket is freed, not held until GC):
 *   - 503 or 429 with header `x-nines-rejected` (a nines guard's `shed`,
 *     `quarantined`, `draining`) or with a valid `Retry-After` throws
 *     `NINES_RESILIENCE_OVERLOADED`: retried after `details.retryAfterMs`,
 *     never a breaker failure;
 *   - any other throws `NINES_RESILIENCE_HTTP_STATUS` (`details.status`,
 *     `details.retryAfterMs` when a Retry-After came): a dependency failure;
 * - other statuses (2xx, 3xx, 404, ...) are returned untouched;
 * - no response because of the network (connection refused or reset, a
 *   timeout of the fetch itself, a name that does not resolve) throws
 *   `NINES_RESILIENCE_NETWORK` with `details.kind` (`refused`, `reset`,
 *   `timeout`, `dns`, `unreachable`, `other`) and the fetch error as cause:
 *   a dependency failure, retried by default;
 * - a response that arrives after the context aborted (a lost hedge, a
 *   timeout) is cancelled and the abort reason thrown; a fetch stopped by
 *   that abort rejects with the abort reason too.
 *
 * `Retry-After` (delay-seconds or an HTTP date, read on the clock) becomes
 * `details.retryAfterMs`.
 *
 * @example
 * import { fetch } from "undici";
 * const get = httpFetch({ fetch });
 * const policy = wrap(retry({ maxAttempts: 3, idempotent: true }), circuitBreaker({ window }), timeout({ timeoutMs: 2000 }));
 * const response = await policy.execute((context) => get(context, "http://inventory.internal/items/42"));
 * const item = await response.json();
 */
export function httpFetch<F extends FetchLike<FetchResponseLike> = typeof globalThis.fetch>(
  options: HttpFetchOptions<F> = {},
): HttpCall<F> {
  requireOption(typeof options === "object" && options !== null, "httpFetch", "options", options, "an object");
  requireKnownOptions("httpFetch", options, KNOWN_OPTIONS);
  const doFetch = (options.fetch ?? globalThis.fetch) as unknown as (
    input: unknown,
    init?: object,
  ) => Promise<FetchResponseLike>;
  requireOption(typeof doFetch === "function", "httpFetch", "fetch", doFetch, "a fetch function");
  const statuses = options.retryableStatuses ?? DEFAULT_RETRYABLE_STATUSES;
  requireOption(
    Array.isArray(statuses) && statuses.every((s) => Number.isInteger(s) && s >= 100 && s <= 599),
    "httpFetch",
    "retryableStatuses",
    statuses,
    "a list of HTTP statuses (100..599)",
  );
  const retryable = new Set(statuses);
  const clock = options.clock ?? systemClock;

  const call = async (context: ExecutionContext, input: unknown, given?: unknown): Promise<FetchResponseLike> => {
    // Plain JavaScript may call get(url): say what to pass rather than fail on the missing signal.
    if (typeof (context as Partial<ExecutionContext> | undefined)?.signal?.aborted !== "boolean") {
      throw new OptionError(OPTION_INVALID, "httpFetch: the first argument must be the execution context", {
        hint: "call it inside a policy: policy.execute((context) => get(context, url))",
        details: { part: "httpFetch", option: "context", value: typeof context },
      });
    }
    const init = given as InitWithSignal | undefined;
    const signal = context.signal;
    const own = init?.signal ?? undefined;
    const combined = own === undefined ? signal : AbortSignal.any([own, signal]);
    const method = init?.method ?? (input as { method?: string } | undefined)?.method;
    let response: FetchResponseLike;
    try {
      response = await doFetch(input, { ...init, signal: combined });
    } catch (error) {
      // Stopped by the abort: the abort's reason is the answer (a timeout, the caller, a lost hedge).
      if (combined.aborted) throw combined.reason;
      throw networkError(error, `${method ?? "GET"} ${urlOf(input)}`) ?? error;
    }
    if (combined.aborted) {
      await discard(response);
      throw combined.reason;
    }
    if (!retryable.has(response.status)) return response;
    const error = statusError(response, input, method, clock.now());
    await discard(response);
    throw error;
  };
  return call as HttpCall<F>;
}

async function discard(response: FetchResponseLike): Promise<void> {
  // A body already locked or errored cannot be cancelled; there is nothing left to free then.
  await response.body?.cancel().catch(() => undefined);
}

function urlOf(input: unknown): string {
  return typeof input === "string"
    ? input
    : input instanceof URL
      ? input.href
      : String((input as { url?: string }).url);
}

function statusError(
  response: FetchResponseLike,
  input: unknown,
  method: string | undefined,
  now: number,
): ResilienceError {
  const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), now);
  const rejected = response.headers.get(REJECTED_HEADER) ?? undefined;
  return httpStatusError({
    status: response.status,
    ...(response.statusText ? { statusText: response.statusText } : {}),
    url: urlOf(input),
    ...(method === undefined ? {} : { method }),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    ...(rejected === undefined ? {} : { rejected }),
  });
}
