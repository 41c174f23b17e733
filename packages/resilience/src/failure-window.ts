import { requireKnownOptions, requireOption } from "@nines/core";

/**
 * How a circuit breaker decides to open while closed. Thresholds are ratios
 * in (0, 1] and are reached when the measured rate is `>=` the threshold
 * (as in resilience4j); a rate is only computed once `minimumCalls` calls are
 * in the window (`>=`).
 *
 * - `consecutive`: opens when `failureThreshold` calls in a row failed (or
 *   were slow, when the breaker has `slowCallMs`); a good call resets the streak.
 * - `count`: the last `size` calls (a ring buffer).
 * - `time`: the calls of the last `windowMs`, kept in `buckets` buckets of
 *   `windowMs / buckets` ms, aligned on multiples of the bucket length; a
 *   call leaves the window when its bucket is `buckets` buckets old, so the
 *   window covers between `windowMs - bucketMs` and `windowMs`.
 *
 * @example
 * const window: FailureWindowOptions = { kind: "count", size: 20, minimumCalls: 10, failureRateThreshold: 0.5 };
 */
export type FailureWindowOptions =
  | { kind: "consecutive"; failureThreshold: number }
  | {
      kind: "count";
      size: number;
      /** Calls needed before a rate counts (default: `size`). */
      minimumCalls?: number;
      failureRateThreshold: number;
      /** Slow-call rate that opens the circuit (default 1: every call slow); needs the breaker's `slowCallMs`. */
      slowCallRateThreshold?: number;
    }
  | {
      kind: "time";
      windowMs: number;
      /** Number of buckets (default 10). */
      buckets?: number;
      /** Calls needed before a rate counts (default 10). */
      minimumCalls?: number;
      failureRateThreshold: number;
      /** Slow-call rate that opens the circuit (default 1); needs the breaker's `slowCallMs`. */
      slowCallRateThreshold?: number;
    };

/**
 * Why a window asks the breaker to open.
 *
 * @example
 * breaker.on("open", ({ reason }) => reason === "slowCallRate" && log.warn("dependency slow"));
 */
export type OpenReason = "consecutiveFailures" | "failureRate" | "slowCallRate";

/**
 * What a window holds now: calls, failed calls, slow calls (slow failed calls count in both).
 *
 * @example
 * const { calls, failures } = breaker.snapshot().window;
 */
export interface WindowSnapshot {
  calls: number;
  failures: number;
  slowCalls: number;
}

/** A window's saved form (inside a breaker's JSON state). */
export type FailureWindowJSON =
  | { kind: "consecutive"; streak: number }
  | { kind: "count"; outcomes: number[] }
  | { kind: "time"; bucketMs: number; headStartedAt: number; buckets: [number, number, number][] };

/**
 * The breaker's record of recent calls. `record` is O(1) (amortised O(1) for
 * the time window: one step per elapsed bucket, bounded by the bucket count),
 * independent of how many calls the window holds.
 */
export interface FailureWindow {
  /** Records a finished call; returns why the circuit should open, if it should. */
  record(failed: boolean, slow: boolean, now: number): OpenReason | undefined;
  snapshot(now: number): WindowSnapshot;
  reset(): void;
  toJSON(): FailureWindowJSON;
  /** Restores a saved window; one saved under other options is ignored (the window starts empty). */
  restore(saved: FailureWindowJSON): void;
}

const FAILED = 1;
const SLOW = 2;

function checkRatio(value: number | undefined, option: string): void {
  requireOption(
    value === undefined || (typeof value === "number" && value > 0 && value <= 1),
    "circuitBreaker",
    option,
    value,
    "a ratio in (0, 1]",
  );
}

/** The keys each window kind takes (a misspelt key is rejected, not ignored). */
const KNOWN_KEYS: Record<FailureWindowOptions["kind"], readonly string[]> = {
  consecutive: ["kind", "failureThreshold"],
  count: ["kind", "size", "minimumCalls", "failureRateThreshold", "slowCallRateThreshold"],
  time: ["kind", "windowMs", "buckets", "minimumCalls", "failureRateThreshold", "slowCallRateThreshold"],
};

/**
 * Builds the window the options describe, validating them.
 *
 * @example
 * const window = createFailureWindow({ kind: "consecutive", failureThreshold: 5 });
 */
export function createFailureWindow(options: FailureWindowOptions): FailureWindow {
  requireOption(typeof options === "object" && options !== null, "circuitBreaker", "window", options, "an object");
  const kind = options.kind;
  requireOption(
    Object.hasOwn(KNOWN_KEYS, kind),
    "circuitBreaker",
    "window.kind",
    kind,
    '"consecutive", "count" or "time"',
  );
  requireKnownOptions("circuitBreaker window", options, KNOWN_KEYS[kind]);
  switch (options.kind) {
    case "consecutive":
      requireOption(
        Number.isInteger(options.failureThreshold) && options.failureThreshold >= 1,
        "circuitBreaker",
        "window.failureThreshold",
        options.failureThreshold,
        "an integer >= 1",
      );
      return new ConsecutiveWindow(options.failureThreshold);
    case "count": {
      requireOption(
        Number.isInteger(options.size) && options.size >= 1,
        "circuitBreaker",
        "window.size",
        options.size,
        "an integer >= 1",
      );
      const minimumCalls = options.minimumCalls ?? options.size;
      requireOption(
        Number.isInteger(minimumCalls) && minimumCalls >= 1 && minimumCalls <= options.size,
        "circuitBreaker",
        "window.minimumCalls",
        minimumCalls,
        `an integer in 1..${options.size} (the window size)`,
      );
      checkRatio(options.failureRateThreshold, "window.failureRateThreshold");
      requireOption(
        options.failureRateThreshold !== undefined,
        "circuitBreaker",
        "window.failureRateThreshold",
        undefined,
        "a ratio in (0, 1]",
      );
      checkRatio(options.slowCallRateThreshold, "window.slowCallRateThreshold");
      return new CountWindow(
        options.size,
        minimumCalls,
        options.failureRateThreshold,
        options.slowCallRateThreshold ?? 1,
      );
    }
    default: {
      requireOption(
        typeof options.windowMs === "number" && Number.isFinite(options.windowMs) && options.windowMs > 0,
        "circuitBreaker",
        "window.windowMs",
        options.windowMs,
        "a number > 0",
      );
      const buckets = options.buckets ?? 10;
      requireOption(
        Number.isInteger(buckets) && buckets >= 1 && buckets <= 10_000,
        "circuitBreaker",
        "window.buckets",
        buckets,
        "an integer in 1..10000",
      );
      const minimumCalls = options.minimumCalls ?? 10;
      requireOption(
        Number.isInteger(minimumCalls) && minimumCalls >= 1,
        "circuitBreaker",
        "window.minimumCalls",
        minimumCalls,
        "an integer >= 1",
      );
      requireOption(
        options.failureRateThreshold !== undefined,
        "circuitBreaker",
        "window.failureRateThreshold",
        undefined,
        "a ratio in (0, 1]",
      );
      checkRatio(options.failureRateThreshold, "window.failureRateThreshold");
      checkRatio(options.slowCallRateThreshold, "window.slowCallRateThreshold");
      return new TimeWindow(
        options.windowMs / buckets,
        buckets,
        minimumCalls,
        options.failureRateThreshold,
        options.slowCallRateThreshold ?? 1,
      );
    }
  }
}

class ConsecutiveWindow implements FailureWindow {
  #streak = 0;
  #calls = 0;
  #failures = 0;
  #slow = 0;
  constructor(readonly failureThreshold: number) {}

  record(failed: boolean, slow: boolean): OpenReason | undefined {
    this.#calls++;
    if (failed) this.#failures++;
    if (slow) this.#slow++;
    if (!failed && !slow) {
      this.#streak = 0;
      return undefined;
    }
    this.#streak++;
    return this.#streak >= this.failureThreshold ? "consecutiveFailures" : undefined;
  }

  /** Counts since the last reset (the streak itself is in the saved JSON). */
  snapshot(): WindowSnapshot {
    return { calls: this.#calls, failures: this.#failures, slowCalls: this.#slow };
  }

  reset(): void {
    this.#streak = 0;
    this.#calls = 0;
    this.#failures = 0;
    this.#slow = 0;
  }

  toJSON(): FailureWindowJSON {
    return { kind: "consecutive", streak: this.#streak };
  }

  restore(saved: FailureWindowJSON): void {
    this.reset();
    if (saved.kind !== "consecutive") return;
    this.#streak = Math.min(saved.streak, this.failureThreshold - 1);
  }
}

class CountWindow implements FailureWindow {
  readonly #ring: Uint8Array;
  #next = 0;
  #calls = 0;
  #failures = 0;
  #slow = 0;

  constructor(
    readonly size: number,
    readonly minimumCalls: number,
    readonly failureRate: number,
    readonly slowRate: number,
  ) {
    this.#ring = new Uint8Array(size);
  }

  record(failed: boolean, slow: boolean): OpenReason | undefined {
    const outcome = (failed ? FAILED : 0) | (slow ? SLOW : 0);
    if (this.#calls === this.size) {
      const old = this.#ring[this.#next] as number;
      if (old & FAILED) this.#failures--;
      if (old & SLOW) this.#slow--;
    } else {
      this.#calls++;
    }
    this.#ring[this.#next] = outcome;
    this.#next = this.#next + 1 === this.size ? 0 : this.#next + 1;
    if (failed) this.#failures++;
    if (slow) this.#slow++;
    return rateDecision(this.#calls, this.#failures, this.#slow, this.minimumCalls, this.failureRate, this.slowRate);
  }

  snapshot(): WindowSnapshot {
    return { calls: this.#calls, failures: this.#failures, slowCalls: this.#slow };
  }

  reset(): void {
    this.#ring.fill(0);
    this.#next = 0;
    this.#calls = 0;
    this.#failures = 0;
    this.#slow = 0;
  }

  toJSON(): FailureWindowJSON {
    const outcomes: number[] = [];
    const start = this.#calls === this.size ? this.#next : 0;
    for (let i = 0; i < this.#calls; i++) outcomes.push(this.#ring[(start + i) % this.size] as number);
    return { kind: "count", outcomes };
  }

  restore(saved: FailureWindowJSON): void {
    this.reset();
    if (saved.kind !== "count") return;
    // Replaying keeps the newest `size` outcomes when the size changed.
    for (const outcome of saved.outcomes.slice(-this.size)) {
      this.record((outcome & FAILED) !== 0, (outcome & SLOW) !== 0);
    }
  }
}

class TimeWindow implements FailureWindow {
  readonly #calls: Float64Array;
  readonly #failures: Float64Array;
  readonly #slow: Float64Array;
  #head = 0;
  /** Start time of the head (newest) bucket; NaN before the first call. */
  #headStartedAt = Number.NaN;
  #totalCalls = 0;
  #totalFailures = 0;
  #totalSlow = 0;

  constructor(
    readonly bucketMs: number,
    readonly buckets: number,
    readonly minimumCalls: number,
    readonly failureRate: number,
    readonly slowRate: number,
  ) {
    this.#calls = new Float64Array(buckets);
    this.#failures = new Float64Array(buckets);
    this.#slow = new Float64Array(buckets);
  }

  #rotate(now: number): void {
    if (Number.isNaN(this.#headStartedAt)) {
      this.#headStartedAt = Math.floor(now / this.bucketMs) * this.bucketMs;
      return;
    }
    if (now < this.#headStartedAt + this.bucketMs) return;
    const steps = Math.floor((now - this.#headStartedAt) / this.bucketMs);
    if (steps >= this.buckets) {
      this.#clear();
    } else {
      for (let i = 0; i < steps; i++) {
        this.#head = this.#head + 1 === this.buckets ? 0 : this.#head + 1;
        this.#totalCalls -= this.#calls[this.#head] as number;
        this.#totalFailures -= this.#failures[this.#head] as number;
        this.#totalSlow -= this.#slow[this.#head] as number;
        this.#calls[this.#head] = 0;
        this.#failures[this.#head] = 0;
        this.#slow[this.#head] = 0;
      }
    }
    this.#headStartedAt += steps * this.bucketMs;
  }

  #clear(): void {
    this.#calls.fill(0);
    this.#failures.fill(0);
    this.#slow.fill(0);
    this.#totalCalls = 0;
    this.#totalFailures = 0;
    this.#totalSlow = 0;
  }

  record(failed: boolean, slow: boolean, now: number): OpenReason | undefined {
    this.#rotate(now);
    const head = this.#head;
    this.#calls[head] = (this.#calls[head] as number) + 1;
    this.#totalCalls++;
    if (failed) {
      this.#failures[head] = (this.#failures[head] as number) + 1;
      this.#totalFailures++;
    }
    if (slow) {
      this.#slow[head] = (this.#slow[head] as number) + 1;
      this.#totalSlow++;
    }
    return rateDecision(
      this.#totalCalls,
      this.#totalFailures,
      this.#totalSlow,
      this.minimumCalls,
      this.failureRate,
      this.slowRate,
    );
  }

  snapshot(now: number): WindowSnapshot {
    if (!Number.isNaN(this.#headStartedAt)) this.#rotate(now);
    return { calls: this.#totalCalls, failures: this.#totalFailures, slowCalls: this.#totalSlow };
  }

  reset(): void {
    this.#clear();
    this.#head = 0;
    this.#headStartedAt = Number.NaN;
  }

  toJSON(): FailureWindowJSON {
    const buckets: [number, number, number][] = [];
    for (let i = 1; i <= this.buckets; i++) {
      const at = (this.#head + i) % this.buckets;
      buckets.push([this.#calls[at] as number, this.#failures[at] as number, this.#slow[at] as number]);
    }
    return {
      kind: "time",
      bucketMs: this.bucketMs,
      headStartedAt: Number.isNaN(this.#headStartedAt) ? -1 : this.#headStartedAt,
      buckets,
    };
  }

  restore(saved: FailureWindowJSON): void {
    this.reset();
    if (saved.kind !== "time" || saved.bucketMs !== this.bucketMs || saved.buckets.length !== this.buckets) return;
    if (saved.headStartedAt < 0) return;
    // Saved oldest first, so the newest bucket lands on index buckets - 1.
    saved.buckets.forEach(([calls, failures, slow], i) => {
      this.#calls[i] = calls;
      this.#failures[i] = failures;
      this.#slow[i] = slow;
      this.#totalCalls += calls;
      this.#totalFailures += failures;
      this.#totalSlow += slow;
    });
    this.#head = this.buckets - 1;
    this.#headStartedAt = saved.headStartedAt;
  }
}

function rateDecision(
  calls: number,
  failures: number,
  slow: number,
  minimumCalls: number,
  failureRate: number,
  slowRate: number,
): OpenReason | undefined {
  if (calls < minimumCalls) return undefined;
  // Division is correctly rounded, so 3 / 10 >= 0.3 holds exactly (3 >= 0.3 * 10 would not).
  if (failures > 0 && failures / calls >= failureRate) return "failureRate";
  if (slow > 0 && slow / calls >= slowRate) return "slowCallRate";
  return undefined;
}
