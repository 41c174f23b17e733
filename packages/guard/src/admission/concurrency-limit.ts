import { requireKnownOptions, requireOption } from "@nines/core";

/** One finished request, as the limit algorithm sees it. */
export interface LimitSample {
  /** Milliseconds from the start of the handler to the end of the response. */
  rttMs: number;
  /** Requests running when this one started (itself included). */
  inflight: number;
  /** True when the request failed in a way that signals overload (a timeout, a dropped request). */
  dropped: boolean;
}

/**
 * How many requests may run at once. Adaptive limits learn it from
 * latency, as in Netflix's concurrency-limits.
 *
 * @example
 * const limit = new FixedLimit(16);
 * limit.limit; // 16
 */
export interface ConcurrencyLimit {
  /** The current limit (>= 1). */
  readonly limit: number;
  /** Feeds one finished request. */
  onSample(sample: LimitSample): void;
}

/**
 * A limit that never changes (what `limit: 16` in the admission options builds).
 *
 * @example
 * const admission = new AdmissionController({ limit: new FixedLimit(16) });
 */
export class FixedLimit implements ConcurrencyLimit {
  readonly limit: number;
  constructor(limit: number) {
    requireOption(Number.isInteger(limit) && limit >= 1, "FixedLimit", "limit", limit, "an integer >= 1");
    this.limit = limit;
  }
  onSample(): void {}
}

/** Options of {@link Gradient2Limit}. */
export interface Gradient2Options {
  /** Starting limit. Default 20. */
  initialLimit?: number;
  /** Never below this. Default 1. */
  minLimit?: number;
  /** Never above this. Default 1000. */
  maxLimit?: number;
  /** How much slower than the long-term latency the short-term one may get before the limit shrinks. Default 1.5. */
  rttTolerance?: number;
  /** Weight of each new limit in the smoothed limit, in (0, 1]. Default 0.2. */
  smoothing?: number;
  /** Samples in the long-term latency average (an exponential average of about this window). Default 600. */
  longWindow?: number;
  /** Extra headroom added to the limit so it can grow: default sqrt(limit). */
  queueSize?: (limit: number) => number;
}

/**
 * Netflix's Gradient2 limit. It compares the short-term latency (the
 * latest sample) with a long-term exponential average: while they agree,
 * the limit grows by a small queue allowance (sqrt(limit)); when requests
 * get slower than `rttTolerance` times the long-term average, the limit
 * shrinks in proportion (gradient = tolerance x long / short, at least 0.5).
 * Chosen over Vegas, which needs the no-load latency (a minimum that drifts
 * and must be re-probed), and over AIMD, which only reacts after requests
 * already fail: Gradient2 reacts to queueing as it starts, and its
 * long-term average slowly follows real latency changes (a slower
 * dependency, a bigger payload) instead of treating them as overload.
 *
 * new = limit x gradient + queueSize(limit); limit = limit x (1 - smoothing) + new x smoothing,
 * clamped to [minLimit, maxLimit]. A dropped request counts as twice the long-term latency.
 *
 * @example
 * const limit = new Gradient2Limit({ initialLimit: 10, maxLimit: 200 });
 * limit.onSample({ rttMs: 4, inflight: 8, dropped: false });
 */
export class Gradient2Limit implements ConcurrencyLimit {
  #limit: number;
  #longRtt = 0;
  #samples = 0;
  readonly #min: number;
  readonly #max: number;
  readonly #tolerance: number;
  readonly #smoothing: number;
  readonly #longWindow: number;
  readonly #queueSize: (limit: number) => number;

  constructor(options: Gradient2Options = {}) {
    requireKnownOptions("Gradient2Limit", options, [
      "initialLimit",
      "minLimit",
      "maxLimit",
      "rttTolerance",
      "smoothing",
      "longWindow",
      "queueSize",
    ]);
    const initial = options.initialLimit ?? 20;
    this.#min = options.minLimit ?? 1;
    this.#max = options.maxLimit ?? 1000;
    this.#tolerance = options.rttTolerance ?? 1.5;
    this.#smoothing = options.smoothing ?? 0.2;
    this.#longWindow = options.longWindow ?? 600;
    this.#queueSize = options.queueSize ?? ((limit) => Math.sqrt(limit));
    requireOption(this.#min >= 1, "Gradient2Limit", "minLimit", this.#min, ">= 1");
    requireOption(this.#max >= this.#min, "Gradient2Limit", "maxLimit", this.#max, `>= minLimit (${this.#min})`);
    requireOption(
      initial >= this.#min && initial <= this.#max,
      "Gradient2Limit",
      "initialLimit",
      initial,
      "within [minLimit, maxLimit]",
    );
    requireOption(this.#tolerance >= 1, "Gradient2Limit", "rttTolerance", this.#tolerance, ">= 1");
    requireOption(
      this.#smoothing > 0 && this.#smoothing <= 1,
      "Gradient2Limit",
      "smoothing",
      this.#smoothing,
      "in (0, 1]",
    );
    requireOption(this.#longWindow >= 1, "Gradient2Limit", "longWindow", this.#longWindow, ">= 1");
    this.#limit = initial;
  }

  get limit(): number {
    return Math.max(this.#min, Math.floor(this.#limit));
  }

  /** The long-term latency average, in ms (0 before the first sample). */
  get longRttMs(): number {
    return this.#longRtt;
  }

  onSample(sample: LimitSample): void {
    const rtt = sample.dropped ? Math.max(sample.rttMs, 2 * this.#longRtt) : sample.rttMs;
    this.#samples++;
    // Warm-up: a plain average over the first samples, then an exponential one.
    const weight = this.#samples < this.#longWindow ? 1 / this.#samples : 2 / (this.#longWindow + 1);
    this.#longRtt = this.#longRtt + (rtt - this.#longRtt) * weight;
    // Over a long stretch of high latency the long average catches up; pull it back so recovery is seen.
    if (this.#longRtt / Math.max(rtt, 1e-6) > 2) this.#longRtt *= 0.95;
    // An app-limited service (few requests running) tells nothing about its limit.
    if (sample.inflight < this.#limit / 2 && !sample.dropped) return;
    const gradient = Math.max(0.5, Math.min(1, (this.#tolerance * this.#longRtt) / Math.max(rtt, 1e-6)));
    const next = this.#limit * gradient + this.#queueSize(this.#limit);
    this.#limit = Math.min(
      this.#max,
      Math.max(this.#min, this.#limit * (1 - this.#smoothing) + next * this.#smoothing),
    );
  }
}
