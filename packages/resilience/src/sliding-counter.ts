/**
 * A sum over a sliding time window kept in `buckets` buckets of
 * `windowMs / buckets` ms, aligned on multiples of the bucket length. A value
 * added at time t counts until its bucket is `buckets` buckets old: between
 * `windowMs - bucketMs` and `windowMs` after t. `add` and `sum` cost one step
 * per bucket that elapsed since the last call (at most `buckets`), never one
 * per value held, so the cost does not grow with traffic.
 *
 * @example
 * const requests = new SlidingCounter(120_000, 120);
 * requests.add(clock.now(), 1);
 * requests.sum(clock.now()); // 1, for two minutes
 */
export class SlidingCounter {
  readonly bucketMs: number;
  readonly #values: Float64Array;
  #head = 0;
  /** Start time of the head (newest) bucket; NaN before the first add. */
  #headStartedAt = Number.NaN;
  #total = 0;

  constructor(
    readonly windowMs: number,
    readonly buckets: number,
  ) {
    this.bucketMs = windowMs / buckets;
    this.#values = new Float64Array(buckets);
  }

  add(now: number, value: number): void {
    this.#rotate(now);
    this.#values[this.#head] = (this.#values[this.#head] as number) + value;
    this.#total += value;
  }

  sum(now: number): number {
    this.#rotate(now);
    return this.#total;
  }

  #rotate(now: number): void {
    if (Number.isNaN(this.#headStartedAt)) {
      this.#headStartedAt = Math.floor(now / this.bucketMs) * this.bucketMs;
      return;
    }
    if (now < this.#headStartedAt + this.bucketMs) return;
    const steps = Math.floor((now - this.#headStartedAt) / this.bucketMs);
    if (steps >= this.buckets) {
      this.#values.fill(0);
      this.#total = 0;
    } else {
      for (let i = 0; i < steps; i++) {
        this.#head = this.#head + 1 === this.buckets ? 0 : this.#head + 1;
        this.#total -= this.#values[this.#head] as number;
        this.#values[this.#head] = 0;
      }
    }
    this.#headStartedAt += steps * this.bucketMs;
  }
}
