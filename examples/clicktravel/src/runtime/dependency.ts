import { type Clock, isNinesError, type Random, systemClock, systemRandom } from "@nines/core";
import {
  type CallDescription,
  type CallPolicy,
  callPolicy,
  httpFetch,
  type Pipeline,
  timeout,
  wrap,
} from "@nines/resilience";
import { ClickTravelError } from "./errors.js";
import { DEADLINE_HEADER } from "./service-host.js";

/**
 * A dependency's answer: its status (2xx, or a 4xx it meant, such as 404
 * or 409) and its JSON body.
 *
 * @example
 * const { status, json } = await inventory.request("GET", "/trips");
 */
export interface DependencyAnswer<T = unknown> {
  status: number;
  json: T;
}

/**
 * Options of {@link Dependency}: who it is, where it is (the load
 * balancer `nines up` gives as `<NAME>_URL`), how to call it (a
 * description from `NINES_CALLS`), and the overall time a call may take,
 * retries included.
 *
 * @example
 * const options: DependencyOptions = { baseUrl: "http://127.0.0.1:7001", call: { target: "orders", retries: 2 } };
 */
export interface DependencyOptions {
  baseUrl: string;
  call: CallDescription;
  /** Overall limit of one call, retries and backoff included (default 2000 ms). */
  deadlineMs?: number;
  clock?: Clock;
  random?: Random;
}

/**
 * The header that marks a write as safe to send again (IETF httpapi draft
 * "The Idempotency-Key HTTP Header Field").
 *
 * @example
 * await orders.request("POST", "/bookings", { body, idempotencyKey: body.requestId }); // sends idempotency-key
 */
export const IDEMPOTENCY_KEY_HEADER = "idempotency-key";

/** The default overall limit of one call to a dependency, retries included. */
export const CALL_DEADLINE_MS = 2000;

/**
 * An HTTP dependency called through the policies its call description
 * names (`callPolicy`: retry with backoff and budget, breaker, per-attempt
 * timeout), inside an overall deadline that the callee also receives as
 * `x-request-deadline`, so it can drop the request once the caller has
 * given up. Failures (network, 5xx, shed, open circuit, timeout) become
 * `CLICKTRAVEL_UNAVAILABLE` with the cause's code in `details.cause`.
 *
 * @example
 * const orders = new Dependency({ baseUrl: process.env.ORDERS_URL!, call: callTo(config, "orders") });
 * const { json } = await orders.request("POST", "/bookings", { body: { requestId, tripId }, signal });
 */
export class Dependency {
  readonly name: string;
  readonly baseUrl: string;
  readonly policy: CallPolicy;
  readonly #pipeline: Pipeline;
  readonly #fetch = httpFetch();

  constructor(options: DependencyOptions) {
    this.name = options.call.target;
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    const clock = options.clock ?? systemClock;
    this.policy = callPolicy(options.call, { clock, random: options.random ?? systemRandom });
    this.#pipeline = wrap(timeout({ timeoutMs: options.deadlineMs ?? CALL_DEADLINE_MS, clock }), this.policy.pipeline);
  }

  /**
   * Sends one request (retried as the policy says: every ClickTravel call
   * is idempotent, writes carry a client request id) and reads its JSON.
   * `idempotencyKey` goes out as `Idempotency-Key`, so that a load balancer
   * may also send a write again to another instance when the first died
   * with it (`nines up`'s do).
   */
  async request<T = unknown>(
    method: string,
    path: string,
    options: { body?: unknown; signal?: AbortSignal; idempotencyKey?: string } = {},
  ): Promise<DependencyAnswer<T>> {
    const url = `${this.baseUrl}${path}`;
    try {
      return await this.#pipeline.execute(async (context) => {
        const headers: Record<string, string> = { accept: "application/json" };
        if (Number.isFinite(context.deadlineAt)) headers[DEADLINE_HEADER] = String(Math.floor(context.deadlineAt));
        if (options.body !== undefined) headers["content-type"] = "application/json";
        if (options.idempotencyKey !== undefined) headers[IDEMPOTENCY_KEY_HEADER] = options.idempotencyKey;
        const response = await this.#fetch(context, url, {
          method,
          headers,
          ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        });
        return { status: response.status, json: (await response.json()) as T };
      }, options.signal);
    } catch (error) {
      throw new ClickTravelError("unavailable", `${this.name} did not answer ${method} ${path}`, {
        hint: "retry later; the service is degraded or overloaded",
        cause: error,
        details: { dependency: this.name, cause: isNinesError(error) ? error.code : String(error) },
      });
    }
  }
}
