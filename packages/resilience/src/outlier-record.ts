const BUCKETS = 10;

/**
 * One instance's record for outlier ejection ({@link OutlierRules}): its
 * failures to reach it in a row, its requests and failures over the window
 * (ten buckets of `windowMs / 10`, with running totals, so recording and
 * reading cost the same at any request rate), and its ejections. Time is
 * passed in (`now`, ms on any clock), so a real balancer and a simulated
 * one keep the same records.
 *
 * @example
 * const record = new OutlierRecord(10_000);
 * record.count(clock.now(), true);
 * record.calls; // 1, until the window passes it
 */
export class OutlierRecord {
  /** Failures to reach the instance since it last answered. */
  unreachable = 0;
  /** Ejections in a row (they lengthen each one). */
  ejections = 0;
  lastEjectedAt = Number.NEGATIVE_INFINITY;
  /** When the current (or last) ejection ends. */
  ejectionEndsAt = Number.NEGATIVE_INFINITY;
  /** Requests over the window, as of the last {@link advance}. */
  calls = 0;
  /** Failed requests over the window, as of the last {@link advance}. */
  failures = 0;
  readonly #bucketMs: number;
  readonly #calls = new Float64Array(BUCKETS);
  readonly #failures = new Float64Array(BUCKETS);
  /** The newest bucket's number (time / bucket length). */
  #bucket = Number.NEGATIVE_INFINITY;

  constructor(windowMs: number) {
    this.#bucketMs = windowMs / BUCKETS;
  }

  /** True while an ejection lasts. */
  isEjected(now: number): boolean {
    return now < this.ejectionEndsAt;
  }

  /** Counts one request that ended at `at`. */
  count(at: number, failed: boolean): void {
    this.advance(at);
    const slot = slotOf(this.#bucket);
    (this.#calls[slot] as number)++;
    this.calls++;
    if (failed) {
      (this.#failures[slot] as number)++;
      this.failures++;
    }
  }

  /** Moves the window to `now`: what fell out of it leaves the totals. */
  advance(now: number): void {
    const bucket = Math.floor(now / this.#bucketMs);
    if (bucket <= this.#bucket) return;
    if (bucket - this.#bucket >= BUCKETS) {
      this.clear();
    } else {
      for (let b = this.#bucket + 1; b <= bucket; b++) {
        const slot = slotOf(b);
        this.calls -= this.#calls[slot] as number;
        this.failures -= this.#failures[slot] as number;
        this.#calls[slot] = 0;
        this.#failures[slot] = 0;
      }
    }
    this.#bucket = bucket;
  }

  /** Forgets the window: an instance back from an ejection is judged on what it does next. */
  clear(): void {
    this.#calls.fill(0);
    this.#failures.fill(0);
    this.calls = 0;
    this.failures = 0;
  }
}

function slotOf(bucket: number): number {
  return ((bucket % BUCKETS) + BUCKETS) % BUCKETS;
}
