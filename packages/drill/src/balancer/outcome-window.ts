const BUCKETS = 10;

/** Requests and failures of one instance over the window. */
export interface OutcomeCounts {
  calls: number;
  failures: number;
}

/**
 * Counts one instance's answered requests and failures over the last
 * `windowMs`, in ten buckets of `windowMs / 10` (so the window covers
 * between 90% and 100% of `windowMs`). Recording and reading cost the same
 * whatever the request rate: no request is kept.
 *
 * @example
 * const window = new OutcomeWindow(10_000);
 * window.record(clock.now(), true);
 * window.counts(clock.now()); // { calls: 1, failures: 1 }
 */
export class OutcomeWindow {
  readonly #bucketMs: number;
  readonly #epochs = new Array<number>(BUCKETS).fill(Number.NEGATIVE_INFINITY);
  readonly #calls = new Array<number>(BUCKETS).fill(0);
  readonly #failures = new Array<number>(BUCKETS).fill(0);

  constructor(windowMs: number) {
    this.#bucketMs = windowMs / BUCKETS;
  }

  record(at: number, failed: boolean): void {
    const epoch = Math.floor(at / this.#bucketMs);
    const slot = ((epoch % BUCKETS) + BUCKETS) % BUCKETS;
    if (this.#epochs[slot] !== epoch) {
      this.#epochs[slot] = epoch;
      this.#calls[slot] = 0;
      this.#failures[slot] = 0;
    }
    (this.#calls[slot] as number)++;
    if (failed) (this.#failures[slot] as number)++;
  }

  counts(now: number): OutcomeCounts {
    const oldest = Math.floor(now / this.#bucketMs) - BUCKETS;
    let calls = 0;
    let failures = 0;
    for (let slot = 0; slot < BUCKETS; slot++) {
      if ((this.#epochs[slot] as number) <= oldest) continue;
      calls += this.#calls[slot] as number;
      failures += this.#failures[slot] as number;
    }
    return { calls, failures };
  }

  /** Forgets everything: an instance back from an ejection is judged on what it does next. */
  clear(): void {
    this.#epochs.fill(Number.NEGATIVE_INFINITY);
  }
}
