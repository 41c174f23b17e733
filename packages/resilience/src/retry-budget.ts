import {
  type Clock,
  Events,
  type Listener,
  requireKnownOptions,
  requireOption,
  systemClock,
  type Unsubscribe,
} from "@nines/core";
import { SlidingCounter } from "./sliding-counter.js";

/**
 * What a retry policy asks before it retries. The contract between a budget
 * and `retry` (pass `budget` to retry's options): call `recordRequest()` once
 * per execution (the first attempt, not per retry) and `tryRetry()` before
 * every retry; `false` means "do not retry" (give up with the last outcome).
 * `tryRetry()` spends the retry when it returns true.
 *
 * @example
 * const gate: RetryGate = retryBudget({ ratio: 0.2 });
 * gate.recordRequest();
 * if (failed && gate.tryRetry()) retryNow();
 */
export interface RetryGate {
  recordRequest(): void;
  tryRetry(): boolean;
}

/**
 * Options of {@link retryBudget}.
 *
 * @example
 * const options: RetryBudgetOptions = { ratio: 0.2, minRetriesPerSecond: 10, windowMs: 10_000 };
 */
export interface RetryBudgetOptions {
  /** Retries allowed per request, in [0, 1] (default 0.2: at most 20% extra load). */
  ratio?: number;
  /** Retries always allowed per second, even with no traffic (default 10), counted over `windowMs`. */
  minRetriesPerSecond?: number;
  /** The sliding window: how long a request's deposit (and a retry's withdrawal) counts (default 10000 ms). */
  windowMs?: number;
  /** Buckets of the window (default 10); deposits expire a bucket at a time. */
  buckets?: number;
  /** Defaults to the system clock. */
  clock?: Clock;
}

const KNOWN_OPTIONS = ["ratio", "minRetriesPerSecond", "windowMs", "buckets", "clock"];

/**
 * Events of a budget, for metrics.
 *
 * @example
 * budget.on("exhausted", () => metrics.retriesRefused.inc());
 */
export interface RetryBudgetEvents {
  /** A retry was allowed; `balance` retries are left after it. */
  withdrawn: { balance: number };
  /** A retry was refused: the budget is spent. */
  exhausted: { balance: number };
}

/** Units of one deposit: integers keep the arithmetic exact (as in Finagle). */
const SCALE = 1000;

/**
 * A retry budget shared by every call site that targets one dependency
 * (Finagle/Linkerd style): each request deposits `1000` units, each retry
 * withdraws `round(1000 / ratio)` units, and a fixed reserve of
 * `minRetriesPerSecond * windowMs / 1000` retries' worth is always there.
 * Deposits and withdrawals leave the window `windowMs` later (to the bucket).
 * A retry is allowed when `window sum + reserve >= withdrawal` (`>=`).
 * So over any `windowMs`, retries <= ratio * requests + minRetriesPerSecond * windowMs / 1000.
 * With `ratio` 0 only the reserve allows retries (each costs 1 unit).
 *
 * @example
 * const budget = retryBudget({ ratio: 0.1, minRetriesPerSecond: 5 });
 * const search = wrap(retry({ maxAttempts: 3, budget, idempotent: true }), timeout({ timeoutMs: 300 }));
 * const suggest = wrap(retry({ maxAttempts: 2, budget, idempotent: true }), timeout({ timeoutMs: 100 }));
 */
export class RetryBudget implements RetryGate {
  readonly ratio: number;
  readonly minRetriesPerSecond: number;
  readonly windowMs: number;
  /** Units one request deposits. */
  readonly deposit: number;
  /** Units one retry withdraws. */
  readonly withdrawal: number;
  /** Units always available (the minimum retries per second over the window). */
  readonly reserve: number;
  readonly #clock: Clock;
  readonly #window: SlidingCounter;
  readonly #events = new Events<RetryBudgetEvents>();

  constructor(options: RetryBudgetOptions = {}) {
    requireOption(typeof options === "object" && options !== null, "retryBudget", "options", options, "an object");
    requireKnownOptions("retryBudget", options, KNOWN_OPTIONS);
    this.ratio = options.ratio ?? 0.2;
    this.minRetriesPerSecond = options.minRetriesPerSecond ?? 10;
    this.windowMs = options.windowMs ?? 10_000;
    const buckets = options.buckets ?? 10;
    requireOption(
      typeof this.ratio === "number" && this.ratio >= 0 && this.ratio <= 1,
      "retryBudget",
      "ratio",
      this.ratio,
      "a ratio in 0..1",
    );
    requireOption(
      typeof this.minRetriesPerSecond === "number" &&
        Number.isFinite(this.minRetriesPerSecond) &&
        this.minRetriesPerSecond >= 0,
      "retryBudget",
      "minRetriesPerSecond",
      this.minRetriesPerSecond,
      "a number >= 0",
    );
    requireOption(
      typeof this.windowMs === "number" && Number.isFinite(this.windowMs) && this.windowMs > 0,
      "retryBudget",
      "windowMs",
      this.windowMs,
      "a number > 0",
    );
    requireOption(
      Number.isInteger(buckets) && buckets >= 1 && buckets <= 10_000,
      "retryBudget",
      "buckets",
      buckets,
      "an integer in 1..10000",
    );
    this.#clock = options.clock ?? systemClock;
    this.deposit = this.ratio === 0 ? 0 : SCALE;
    this.withdrawal = this.ratio === 0 ? 1 : Math.round(SCALE / this.ratio);
    this.reserve = Math.round(this.minRetriesPerSecond * (this.windowMs / 1000) * this.withdrawal);
    this.#window = new SlidingCounter(this.windowMs, buckets);
  }

  on<K extends keyof RetryBudgetEvents>(type: K, listener: Listener<RetryBudgetEvents[K]>): Unsubscribe {
    return this.#events.on(type, listener);
  }

  /** Deposits for one request (call once per execution, not per attempt). */
  recordRequest(): void {
    if (this.deposit !== 0) this.#window.add(this.#clock.now(), this.deposit);
  }

  /** True when a retry would be allowed now (spends nothing). */
  canRetry(): boolean {
    return this.#units() >= this.withdrawal;
  }

  /** Spends one retry and returns true, or returns false when the budget is spent. */
  tryRetry(): boolean {
    const now = this.#clock.now();
    const units = this.#window.sum(now) + this.reserve;
    if (units < this.withdrawal) {
      if (this.#events.has("exhausted"))
        this.#events.emit("exhausted", { balance: Math.floor(units / this.withdrawal) });
      return false;
    }
    this.#window.add(now, -this.withdrawal);
    if (this.#events.has("withdrawn"))
      this.#events.emit("withdrawn", { balance: Math.floor((units - this.withdrawal) / this.withdrawal) });
    return true;
  }

  /** Retries allowed now: floor((window sum + reserve) / withdrawal). */
  get balance(): number {
    return Math.floor(this.#units() / this.withdrawal);
  }

  #units(): number {
    return this.#window.sum(this.#clock.now()) + this.reserve;
  }
}

/**
 * Builds a {@link RetryBudget}, validating the options.
 *
 * @example
 * const perHost = retryBudget({ ratio: 0.2, minRetriesPerSecond: 10, windowMs: 10_000, clock });
 */
export function retryBudget(options: RetryBudgetOptions = {}): RetryBudget {
  return new RetryBudget(options);
}
