import { type Clock, requireKnownOptions, requireOption, systemClock } from "@nines/core";

/** Options of {@link OutlierDetector}. */
export interface OutlierOptions {
  /** Consecutive failures (5xx other than a refusal, connection errors, timeouts) that eject; default 5. */
  failureThreshold?: number;
  /** The first ejection's length; the n-th in a row lasts n times as long; default 2000 ms. */
  baseEjectionMs?: number;
  /** Cap on one ejection; default 30000 ms. */
  maxEjectionMs?: number;
  /** Never eject more than this share of the backends at once; default 0.5. */
  maxEjectedRatio?: number;
  clock?: Clock;
}

interface State {
  failures: number;
  ejections: number;
  ejectedUntil: number;
  lastEjectedAt: number;
}

/**
 * Outlier ejection as Envoy does it: a backend that fails
 * `failureThreshold` times in a row is taken out of rotation for
 * `baseEjectionMs` times the number of its recent ejections (so a backend
 * that keeps failing stays out longer), capped at `maxEjectionMs`, and
 * never more than `maxEjectedRatio` of the backends at once. A refusal for
 * overload is neither a failure nor a success here. After a quiet
 * `maxEjectionMs` the multiplier starts again from one.
 *
 * @example
 * const outliers = new OutlierDetector({ failureThreshold: 3, clock });
 * for (let i = 0; i < 3; i++) outliers.recordFailure("web-a-0", 4);
 * outliers.isEjected("web-a-0"); // true, for 2000 ms
 */
export class OutlierDetector {
  readonly #failureThreshold: number;
  readonly #baseEjectionMs: number;
  readonly #maxEjectionMs: number;
  readonly #maxEjectedRatio: number;
  readonly #clock: Clock;
  readonly #states = new Map<string, State>();

  constructor(options: OutlierOptions = {}) {
    requireKnownOptions("outlier", options, [
      "failureThreshold",
      "baseEjectionMs",
      "maxEjectionMs",
      "maxEjectedRatio",
      "clock",
    ]);
    this.#failureThreshold = options.failureThreshold ?? 5;
    this.#baseEjectionMs = options.baseEjectionMs ?? 2000;
    this.#maxEjectionMs = options.maxEjectionMs ?? 30_000;
    this.#maxEjectedRatio = options.maxEjectedRatio ?? 0.5;
    this.#clock = options.clock ?? systemClock;
    requireOption(this.#failureThreshold >= 1, "outlier", "failureThreshold", this.#failureThreshold, ">= 1");
    requireOption(this.#baseEjectionMs > 0, "outlier", "baseEjectionMs", this.#baseEjectionMs, "> 0");
    requireOption(
      this.#maxEjectionMs >= this.#baseEjectionMs,
      "outlier",
      "maxEjectionMs",
      this.#maxEjectionMs,
      ">= baseEjectionMs",
    );
    requireOption(
      this.#maxEjectedRatio > 0 && this.#maxEjectedRatio <= 1,
      "outlier",
      "maxEjectedRatio",
      this.#maxEjectedRatio,
      "in (0, 1]",
    );
  }

  /** A failed request to `id`; `backends` is how many the service has (for the ejection cap). Returns true when this ejected it. */
  recordFailure(id: string, backends: number): boolean {
    const state = this.#state(id);
    state.failures++;
    if (state.failures < this.#failureThreshold || this.isEjected(id)) return false;
    if (this.ejectedCount() + 1 > Math.floor(backends * this.#maxEjectedRatio)) return false;
    const now = this.#clock.now();
    if (now - state.lastEjectedAt > this.#maxEjectionMs + this.ejectionMs(id)) state.ejections = 0;
    state.ejections++;
    state.lastEjectedAt = now;
    state.ejectedUntil = now + this.ejectionMs(id);
    state.failures = 0;
    return true;
  }

  /** A successful answer from `id`: its run of failures ends. */
  recordSuccess(id: string): void {
    this.#state(id).failures = 0;
  }

  isEjected(id: string): boolean {
    return this.#clock.now() < (this.#states.get(id)?.ejectedUntil ?? 0);
  }

  /** Until when `id` is ejected (epoch ms), or null. */
  ejectedUntil(id: string): number | null {
    return this.isEjected(id) ? (this.#states.get(id)?.ejectedUntil ?? null) : null;
  }

  /** The length of `id`'s current (or last) ejection. */
  ejectionMs(id: string): number {
    const ejections = Math.max(1, this.#states.get(id)?.ejections ?? 1);
    return Math.min(this.#maxEjectionMs, this.#baseEjectionMs * ejections);
  }

  ejectedCount(): number {
    let n = 0;
    for (const id of this.#states.keys()) if (this.isEjected(id)) n++;
    return n;
  }

  #state(id: string): State {
    let state = this.#states.get(id);
    if (!state) {
      state = { failures: 0, ejections: 0, ejectedUntil: 0, lastEjectedAt: Number.NEGATIVE_INFINITY };
      this.#states.set(id, state);
    }
    return state;
  }
}
