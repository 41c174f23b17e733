import type { Clock, Timer } from "./clock.js";

interface PendingTimer {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/** Lets promise continuations run (microtasks and one macrotask turn). */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A virtual clock for tests and simulation. Time stands still until
 * {@link ManualClock.advance} moves it; due timers then fire in time order
 * (ties in the order they were scheduled), and the promise continuations each
 * timer releases run before the next timer fires, so code that sleeps in a
 * loop behaves exactly as it would on the real clock.
 *
 * @example
 * const clock = new ManualClock();
 * let woke = false;
 * clock.sleep(1000).then(() => { woke = true; });
 * await clock.advance(999); // woke === false
 * await clock.advance(1);   // woke === true, clock.now() === 1000
 */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: PendingTimer[] = [];

  /** @param start the initial virtual time in ms since the epoch (default 0). */
  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** Number of timers still waiting to fire. */
  get pending(): number {
    return this.#timers.filter((t) => !t.cancelled).length;
  }

  schedule(ms: number, fn: () => void): Timer {
    const timer: PendingTimer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fn, cancelled: false };
    this.#insert(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        timer.cancel();
        reject((signal as AbortSignal).reason);
      };
      const timer = this.schedule(ms, () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      });
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Moves virtual time forward by `ms`, firing every timer due on the way. */
  async advance(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new RangeError(`advance(ms) needs ms >= 0, got ${ms}`);
    await this.advanceTo(this.#now + ms);
  }

  /** Moves virtual time to `time`, firing every timer due on the way. */
  async advanceTo(time: number): Promise<void> {
    await settle();
    for (;;) {
      const next = this.#nextDue(time);
      if (!next) break;
      this.#now = Math.max(this.#now, next.at);
      next.fn();
      await settle();
    }
    this.#now = Math.max(this.#now, time);
  }

  /**
   * Fires timers until none is left (or `limit` have fired, to stop runaway
   * loops). Returns the number fired.
   */
  async runAll(limit = 100_000): Promise<number> {
    await settle();
    let fired = 0;
    for (;;) {
      const next = this.#nextDue(Number.POSITIVE_INFINITY);
      if (!next) return fired;
      if (fired >= limit)
        throw new Error(`ManualClock.runAll: more than ${limit} timers fired; is a loop rescheduling forever?`);
      this.#now = Math.max(this.#now, next.at);
      next.fn();
      fired++;
      await settle();
    }
  }

  /** Lets pending promise continuations run without moving time. */
  flush(): Promise<void> {
    return settle();
  }

  #insert(timer: PendingTimer): void {
    // Binary search keeps timers sorted by (at, seq).
    let lo = 0;
    let hi = this.#timers.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const other = this.#timers[mid] as PendingTimer;
      if (other.at < timer.at || (other.at === timer.at && other.seq < timer.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.#timers.splice(lo, 0, timer);
  }

  #nextDue(limit: number): PendingTimer | undefined {
    while (this.#timers.length > 0) {
      const first = this.#timers[0] as PendingTimer;
      if (first.cancelled) {
        this.#timers.shift();
        continue;
      }
      if (first.at > limit) return undefined;
      this.#timers.shift();
      return first;
    }
    return undefined;
  }
}
