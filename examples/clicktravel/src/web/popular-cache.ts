import type { Clock } from "@nines/core";

/** The popular destinations, as analytics answers them. */
export type Popular = { destination: string; events: number }[];

/**
 * Options of {@link PopularCache}: how to fetch the destinations (null
 * when analytics cannot answer), how long an answer is reused, and how
 * long a failure is remembered before analytics is asked again.
 *
 * @example
 * const options: PopularCacheOptions = { fetch: () => askAnalytics(), cacheMs: 10_000, clock };
 */
export interface PopularCacheOptions {
  /** Asks analytics (within its own deadline: no search's signal, since the answer is shared). */
  fetch: () => Promise<Popular | null>;
  /** How long an answer is served without asking again (0: every search asks). */
  cacheMs: number;
  /** How long after a failed refresh the page stays degraded without asking again; default 1000 ms. */
  retryAfterMs?: number;
  clock: Clock;
}

/**
 * The popular destinations, kept by web for `cacheMs` so that analytics
 * gets one request per web instance per period instead of one per search:
 * the list changes slowly, and the spec gives analytics 5% of web's load.
 * One refresh at a time (searches that arrive meanwhile wait for it); a
 * failed refresh answers null (the page is degraded) and is not retried
 * for `retryAfterMs`, so a dead analytics is not asked by every search.
 * A stale answer is never served: when analytics is down the page says so.
 *
 * @example
 * const popular = new PopularCache({ fetch, cacheMs: 10_000, clock: systemClock });
 * const top = await popular.get(); // null: degraded
 */
export class PopularCache {
  readonly #options: PopularCacheOptions;
  #value: Popular | null = null;
  #until = Number.NEGATIVE_INFINITY;
  #refreshing: Promise<Popular | null> | null = null;

  constructor(options: PopularCacheOptions) {
    this.#options = options;
  }

  /** The cached answer while fresh, else one refresh shared by every caller; null when analytics failed. */
  async get(): Promise<Popular | null> {
    const { clock } = this.#options;
    if (clock.now() < this.#until) return this.#value;
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = null;
    });
    return await this.#refreshing;
  }

  async #refresh(): Promise<Popular | null> {
    const { clock, cacheMs } = this.#options;
    const value = await this.#options.fetch().catch(() => null);
    this.#value = value;
    this.#until = clock.now() + (value === null ? (this.#options.retryAfterMs ?? 1000) : cacheMs);
    return value;
  }
}
