import type { Clock } from "@nines/core";

/** The popular destinations, as analytics answers them. */
export type Popular = { destination: string; events: number }[];

/**
 * Options of {@link PopularCache}: how to fetch the destinations (throws
 * when analytics cannot answer), how long an answer is reused, how long a
 * failure is remembered before analytics is asked again, and which
 * failures are only a late answer.
 *
 * @example
 * const options: PopularCacheOptions = { fetch: () => askAnalytics(), cacheMs: 10_000, clock };
 */
export interface PopularCacheOptions {
  /** Asks analytics (within its own deadline: no search's signal, since the answer is shared); throws when it cannot. */
  fetch: () => Promise<Popular>;
  /** How long an answer is served without hearing from analytics again (0: every search asks). */
  cacheMs: number;
  /** How long after analytics was found down the page stays degraded without asking again; default 1000 ms. */
  retryAfterMs?: number;
  /** Which failures are only an answer too late (a deadline passed); default none: every failure says analytics is down. */
  isLate?: (error: unknown) => boolean;
  /** Late answers in a row that say analytics is down (one late answer is not); default 2. */
  failureThreshold?: number;
  clock: Clock;
}

/**
 * The popular destinations as web last heard them from analytics, and
 * whether analytics answers at all. Every call web makes to analytics
 * tells: the events it sends anyway answer with the destinations
 * ({@link PopularCache.heard}); a failed call says analytics is down
 * ({@link PopularCache.failed}), at once when it was refused or failed,
 * after `failureThreshold` in a row when it only answered too late (a
 * queue at analytics is not an outage). So the page is degraded as soon as
 * analytics is down and only then, without a request to analytics per
 * search: a search asks (`fetch`, one at a time, shared) only when web has
 * heard nothing for `cacheMs`, or `retryAfterMs` after analytics was found
 * down. While down, {@link PopularCache.get} rejects with the failure (a
 * fallback makes it the degraded page); a list heard before is never
 * served then.
 *
 * @example
 * const popular = new PopularCache({ fetch, cacheMs: 10_000, clock: systemClock });
 * popular.heard([{ destination: "Rome", events: 3 }]); // an event's answer
 * await popular.get(); // [{ destination: "Rome", events: 3 }]
 * popular.failed(refused); // an event refused: analytics is down
 * await popular.get(); // rejects with `refused`: degraded
 */
export class PopularCache {
  readonly #options: PopularCacheOptions;
  #value: Popular | null = null;
  /** The failure that said analytics is down, while it stands. */
  #down: { error: unknown } | null = null;
  /** Until when the last answer (or failure) stands without asking analytics. */
  #until = Number.NEGATIVE_INFINITY;
  #refreshing: Promise<Popular> | null = null;
  /** Late answers since analytics last answered in time. */
  #late = 0;

  constructor(options: PopularCacheOptions) {
    this.#options = options;
  }

  /** The destinations while the last word from analytics stands, else one refresh shared by every caller; rejects while analytics is down. */
  async get(): Promise<Popular> {
    if (this.#options.clock.now() < this.#until) {
      if (this.#down !== null) throw this.#down.error;
      if (this.#value !== null) return this.#value;
    }
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = null;
    });
    return await this.#refreshing;
  }

  /** Analytics answered another call (an event) with the destinations. */
  heard(value: Popular): void {
    this.#late = 0;
    this.#down = null;
    this.#value = value;
    this.#until = this.#options.clock.now() + this.#options.cacheMs;
  }

  /** A call to analytics failed: analytics is down, at once, or after `failureThreshold` late answers in a row. */
  failed(error: unknown): void {
    if (this.#options.isLate?.(error) === true && ++this.#late < (this.#options.failureThreshold ?? 2)) return;
    this.#down = { error };
    this.#value = null;
    this.#until = this.#options.clock.now() + (this.#options.retryAfterMs ?? 1000);
  }

  async #refresh(): Promise<Popular> {
    try {
      const value = await this.#options.fetch();
      this.heard(value);
      return value;
    } catch (error) {
      this.failed(error);
      if (this.#down !== null || this.#value === null) throw error;
      // One late answer: the list heard last serves while a new one is asked for soon.
      this.#until = this.#options.clock.now() + (this.#options.retryAfterMs ?? 1000);
      return this.#value;
    }
  }
}
