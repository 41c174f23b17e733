import { percentile } from "../load/percentile.js";

/** What happened over the last window. */
export interface RecentStats {
  /** Requests finished per second over the window. */
  rate: number;
  /** Share of them that failed (5xx, no answer); null when none. */
  errorRatio: number | null;
  /** p99 latency over the window, ms; null when none. */
  p99Ms: number | null;
}

/**
 * The last `windowMs` of finished requests (time, latency, failed), for a
 * live view: request rate, error ratio, p99. Old entries are dropped as new
 * ones arrive.
 *
 * @example
 * const recent = new RecentWindow(10_000);
 * recent.add(clock.now(), 12, false);
 * recent.stats(clock.now()).rate; // 0.1
 */
export class RecentWindow {
  readonly #windowMs: number;
  #at: number[] = [];
  #latency: number[] = [];
  #failed: boolean[] = [];
  #head = 0;

  constructor(windowMs = 10_000) {
    this.#windowMs = windowMs;
  }

  add(at: number, latencyMs: number, failed: boolean): void {
    this.#at.push(at);
    this.#latency.push(latencyMs);
    this.#failed.push(failed);
    this.#trim(at);
  }

  stats(now: number): RecentStats {
    this.#trim(now);
    const n = this.#at.length - this.#head;
    if (n === 0) return { rate: 0, errorRatio: null, p99Ms: null };
    let failed = 0;
    for (let i = this.#head; i < this.#failed.length; i++) if (this.#failed[i]) failed++;
    const sorted = Float64Array.from(this.#latency.slice(this.#head)).sort();
    return { rate: n / (this.#windowMs / 1000), errorRatio: failed / n, p99Ms: percentile(sorted, 99) };
  }

  #trim(now: number): void {
    while (this.#head < this.#at.length && (this.#at[this.#head] as number) <= now - this.#windowMs) this.#head++;
    if (this.#head > 4096 && this.#head * 2 > this.#at.length) {
      this.#at = this.#at.slice(this.#head);
      this.#latency = this.#latency.slice(this.#head);
      this.#failed = this.#failed.slice(this.#head);
      this.#head = 0;
    }
  }
}
