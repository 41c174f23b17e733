import {
  type Clock,
  Events,
  isNinesError,
  type Listener,
  type Random,
  requireKnownOptions,
  requireOption,
  systemClock,
  systemRandom,
  type Unsubscribe,
} from "@nines/core";
import { RESILIENCE_ERRORS, ResilienceError } from "./errors.js";
import { Execution, invokeOperation } from "./execution-context.js";
import { startExecution } from "./pipeline.js";
import type { ExecuteOptions, ExecutionContext, Operation, PipelineStage, PolicyEnvironment } from "./policy.js";
import { SlidingCounter } from "./sliding-counter.js";

/**
 * Options of {@link adaptiveThrottle}.
 *
 * @example
 * const options: AdaptiveThrottleOptions = { k: 2, windowMs: 120_000 };
 */
export interface AdaptiveThrottleOptions extends PolicyEnvironment {
  /** Named in errors (default "throttle"). */
  name?: string;
  /** The multiplier K (default 2): the backend may reject up to (K-1)/K of requests before local rejection starts. */
  k?: number;
  /** The sliding window (default 120000 ms: 2 minutes). */
  windowMs?: number;
  /** Buckets of the window (default 120: one a second with the default window). */
  buckets?: number;
  /** The coin (default the system random). */
  random?: Random;
  /**
   * Which errors count as failures here, that is as the backend NOT
   * accepting the request (default: server overload
   * `NINES_RESILIENCE_OVERLOADED` and timeouts `NINES_RESILIENCE_TIMEOUT`).
   * Any other error still means the backend accepted the request.
   */
  isFailure?: (error: unknown) => boolean;
}

const KNOWN_OPTIONS = ["name", "k", "windowMs", "buckets", "random", "isFailure", "clock", "errorStacks"];

/**
 * Events of the throttle, for metrics.
 *
 * @example
 * throttle.on("throttled", ({ probability }) => metrics.throttled.inc({ probability }));
 */
export interface AdaptiveThrottleEvents {
  /** The call was rejected locally with `probability`. */
  throttled: { probability: number; requests: number; accepts: number };
}

/**
 * What the throttle holds now.
 *
 * @example
 * const { probability } = throttle.snapshot();
 */
export interface AdaptiveThrottleSnapshot {
  requests: number;
  accepts: number;
  /** max(0, (requests - K * accepts) / (requests + 1)). */
  probability: number;
}

/** Never counted: the call did not reach the backend, or the caller stopped waiting. */
const NOT_SENT = new Set<string>([
  RESILIENCE_ERRORS.aborted,
  RESILIENCE_ERRORS.bulkheadFull,
  RESILIENCE_ERRORS.circuitOpen,
  RESILIENCE_ERRORS.throttled,
]);

function defaultFailure(error: unknown): boolean {
  return isNinesError(error, RESILIENCE_ERRORS.overloaded) || isNinesError(error, RESILIENCE_ERRORS.timeout);
}

/**
 * Client-side adaptive throttling (Google SRE book, chapter 21, "Handling
 * Overload"): over a sliding window the client counts `requests` (every call
 * it was asked to make, including the ones it rejected locally) and
 * `accepts` (calls the backend accepted), and rejects a new call locally
 * with probability `max(0, (requests - K * accepts) / (requests + 1))`,
 * with `NINES_RESILIENCE_THROTTLED`. The coin is the injected `Random`: a
 * call is rejected when `random.next() < probability`.
 *
 * Counting, per finished call: success, or an error that is not a failure:
 * requests + 1 and accepts + 1. A failure (`isFailure`, or the context
 * aborted by a timeout): requests + 1. A local rejection: requests + 1.
 * Not counted: caller aborts, a lost hedge, bulkhead full, circuit open,
 * an inner throttle's rejection.
 *
 * @example
 * const throttle = adaptiveThrottle({ k: 2, windowMs: 120_000 });
 * const policy = wrap(retry({ idempotent: true, budget }), throttle, timeout({ timeoutMs: 500 }));
 */
export class AdaptiveThrottle implements PipelineStage {
  readonly name: string;
  readonly k: number;
  readonly #clock: Clock;
  readonly #errorStacks: boolean;
  readonly #random: Random;
  readonly #requests: SlidingCounter;
  readonly #accepts: SlidingCounter;
  readonly #isFailure: (error: unknown) => boolean;
  readonly #events = new Events<AdaptiveThrottleEvents>();
  readonly #head: (context: ExecutionContext) => Promise<unknown>;

  constructor(options: AdaptiveThrottleOptions = {}) {
    requireOption(typeof options === "object" && options !== null, "adaptiveThrottle", "options", options, "an object");
    requireKnownOptions("adaptiveThrottle", options, KNOWN_OPTIONS);
    this.name = options.name ?? "throttle";
    this.k = options.k ?? 2;
    const windowMs = options.windowMs ?? 120_000;
    const buckets = options.buckets ?? 120;
    requireOption(
      typeof this.k === "number" && Number.isFinite(this.k) && this.k >= 1,
      "adaptiveThrottle",
      "k",
      this.k,
      "a number >= 1",
    );
    requireOption(
      typeof windowMs === "number" && Number.isFinite(windowMs) && windowMs > 0,
      "adaptiveThrottle",
      "windowMs",
      windowMs,
      "a number > 0",
    );
    requireOption(
      Number.isInteger(buckets) && buckets >= 1 && buckets <= 10_000,
      "adaptiveThrottle",
      "buckets",
      buckets,
      "an integer in 1..10000",
    );
    this.#clock = options.clock ?? systemClock;
    this.#errorStacks = options.errorStacks !== false;
    this.#random = options.random ?? systemRandom;
    requireOption(
      options.isFailure === undefined || typeof options.isFailure === "function",
      "adaptiveThrottle",
      "isFailure",
      options.isFailure,
      "a function",
    );
    this.#isFailure = options.isFailure ?? defaultFailure;
    this.#requests = new SlidingCounter(windowMs, buckets);
    this.#accepts = new SlidingCounter(windowMs, buckets);
    this.#head = (context) => this.run(invokeOperation, context);
  }

  on<K extends keyof AdaptiveThrottleEvents>(type: K, listener: Listener<AdaptiveThrottleEvents[K]>): Unsubscribe {
    return this.#events.on(type, listener);
  }

  /** The counts and the local rejection probability now. */
  snapshot(): AdaptiveThrottleSnapshot {
    const now = this.#clock.now();
    const requests = this.#requests.sum(now);
    const accepts = this.#accepts.sum(now);
    return { requests, accepts, probability: this.#probability(requests, accepts) };
  }

  execute<T>(operation: Operation<T>, signal?: AbortSignal, options?: ExecuteOptions): Promise<T> {
    return startExecution(this.#head, operation, signal, options) as Promise<T>;
  }

  async run<T>(next: (context: ExecutionContext) => Promise<T>, context: ExecutionContext): Promise<T> {
    const now = this.#clock.now();
    const requests = this.#requests.sum(now);
    const accepts = this.#accepts.sum(now);
    const probability = this.#probability(requests, accepts);
    if (probability > 0 && this.#random.next() < probability) {
      this.#requests.add(now, 1);
      throw this.#reject(probability, requests, accepts);
    }
    let value: T;
    try {
      value = await next(context);
    } catch (error) {
      this.#recordError(error, context);
      throw error;
    }
    const end = this.#clock.now();
    this.#requests.add(end, 1);
    this.#accepts.add(end, 1);
    return value;
  }

  #probability(requests: number, accepts: number): number {
    const p = (requests - this.k * accepts) / (requests + 1);
    return Math.max(p, 0);
  }

  #recordError(error: unknown, context: ExecutionContext): void {
    let seen = error;
    const execution = Execution.of(context);
    if (execution.aborted) {
      const reason = execution.abortError();
      if (!isNinesError(reason, RESILIENCE_ERRORS.timeout)) return; // the caller (or a winning hedge) stopped it
      seen = reason;
    }
    const now = this.#clock.now();
    if (this.#isFailure(seen)) {
      this.#requests.add(now, 1);
      return;
    }
    if (isNinesError(seen) && NOT_SENT.has(seen.code)) return;
    this.#requests.add(now, 1);
    this.#accepts.add(now, 1);
  }

  #reject(probability: number, requests: number, accepts: number): ResilienceError {
    if (this.#events.has("throttled")) this.#events.emit("throttled", { probability, requests, accepts });
    const percent = Math.round(probability * 1000) / 10;
    return new ResilienceError(
      RESILIENCE_ERRORS.throttled,
      `adaptive throttle "${this.name}" rejected the call locally: the backend accepted ${accepts} of ${requests} ${requests === 1 ? "request" : "requests"} in the window, so ${percent}% of calls are rejected before they are sent`,
      {
        hint: "the dependency is rejecting requests (overloaded); back off, or serve a fallback",
        details: { throttle: this.name, probability, requests, accepts, retryAfterMs: this.#requests.bucketMs },
        stack: this.#errorStacks,
      },
    );
  }
}

/**
 * Builds an {@link AdaptiveThrottle}, validating the options.
 *
 * @example
 * const throttle = adaptiveThrottle({ clock, random: new SeededRandom(1) });
 * await throttle.execute(({ signal }) => callBackend(signal));
 */
export function adaptiveThrottle(options: AdaptiveThrottleOptions = {}): AdaptiveThrottle {
  return new AdaptiveThrottle(options);
}
