import { type Clock, requireKnownOptions, requireOption, systemClock } from "@nines/core";

/**
 * A circuit breaker as the guard reads it: its state now and, optionally,
 * its `stateChange` events (`@nines/resilience`'s `CircuitBreaker` fits).
 * Health checks read `state`; the metrics also count transitions.
 *
 * @example
 * const payments: HealthCheckOptions = { name: "payments", breaker: paymentsBreaker, critical: false };
 */
export interface BreakerSource {
  readonly state: string;
  on?(type: "stateChange", listener: (event: { from: string; to: string }) => void): unknown;
}

/** One dependency (or self) check. */
export interface HealthCheckOptions {
  /** Shown in the JSON report and the `check` metric label. */
  name: string;
  /**
   * Resolves when healthy; throws (or resolves `false`) when not. Should
   * honour `signal`, which aborts at the timeout. Optional when `breaker`
   * is given: the breaker's state then decides (open or isolated = down).
   */
  check?: (signal: AbortSignal) => unknown;
  /** A failing critical check makes the instance unready; a non-critical one only `degraded` (default true). */
  critical?: boolean;
  /** A check slower than this counts as failed (default 1000 ms). */
  timeoutMs?: number;
  /** A result is reused for this long, so a probe flood runs the check once (default 1000 ms). */
  cacheMs?: number;
  /** Consecutive failures before the check turns down (default 3). */
  failureThreshold?: number;
  /** Consecutive successes before a down check turns up again (default 2). */
  successThreshold?: number;
  /** Reported as `breaker` in the JSON report (the dependency's circuit breaker). */
  breaker?: BreakerSource;
}

const CHECK_OPTION_KEYS = [
  "name",
  "check",
  "critical",
  "timeoutMs",
  "cacheMs",
  "failureThreshold",
  "successThreshold",
  "breaker",
] as const;

/** `pending` until the first result; then `up` / `down` with hysteresis. */
export type CheckStatus = "pending" | "up" | "down";

/** What one run of a check gave. */
export interface CheckRun {
  readonly ok: boolean;
  readonly timedOut: boolean;
  readonly latencyMs: number;
  readonly at: number;
  readonly error: string | undefined;
}

/** The JSON view of one check. */
export interface CheckReport {
  status: CheckStatus;
  critical: boolean;
  /** The last run's duration (ms). */
  latencyMs: number | null;
  /** How old the last result is (ms). */
  ageMs: number | null;
  /** The last run failed (even while hysteresis keeps the check up). */
  lastRunOk: boolean | null;
  consecutiveFailures: number;
  error?: string;
  breaker?: string;
}

const DOWN_STATES = new Set(["open", "isolated", "forcedOpen"]);

/**
 * Runs one check with a timeout, caches its result for `cacheMs`, joins
 * concurrent callers onto one run (single flight), and applies hysteresis:
 * `failureThreshold` failures in a row to turn down, `successThreshold`
 * successes in a row to come back. The first result sets the status
 * directly. All time comes from the injected clock.
 *
 * @example
 * const db = new HealthCheck({ name: "db", check: () => pool.query("select 1"), timeoutMs: 500, clock }, onRun);
 * await db.current(); // runs the check (or reuses a fresh result)
 */
export class HealthCheck {
  readonly name: string;
  readonly critical: boolean;
  readonly timeoutMs: number;
  readonly cacheMs: number;
  readonly failureThreshold: number;
  readonly successThreshold: number;
  readonly #check: ((signal: AbortSignal) => unknown) | undefined;
  readonly #breaker: BreakerSource | undefined;
  readonly #clock: Clock;
  readonly #onRun: (check: HealthCheck, run: CheckRun) => void;
  #status: CheckStatus = "pending";
  #last: CheckRun | undefined;
  #running: Promise<void> | undefined;
  #failures = 0;
  #successes = 0;
  /** How many times the check function actually ran. */
  runs = 0;

  constructor(
    options: HealthCheckOptions & { clock?: Clock },
    onRun: (check: HealthCheck, run: CheckRun) => void = () => {},
  ) {
    const where = `health check ${JSON.stringify(options?.name)}`;
    requireOption(typeof options === "object" && options !== null, "health check", "options", options, "an object");
    requireKnownOptions(where, options, [...CHECK_OPTION_KEYS, "clock"]);
    requireOption(
      typeof options?.name === "string" && options.name.length > 0,
      "health check",
      "name",
      options?.name,
      "a non-empty string",
    );
    requireOption(
      options.check !== undefined || options.breaker !== undefined,
      where,
      "check",
      options.check,
      "a function (or give a breaker)",
    );
    requireOption(
      options.check === undefined || typeof options.check === "function",
      where,
      "check",
      options.check,
      "a function",
    );
    this.name = options.name;
    this.critical = options.critical ?? true;
    this.timeoutMs = options.timeoutMs ?? 1000;
    this.cacheMs = options.cacheMs ?? 1000;
    this.failureThreshold = options.failureThreshold ?? 3;
    this.successThreshold = options.successThreshold ?? 2;
    requireOption(Number.isFinite(this.timeoutMs) && this.timeoutMs > 0, where, "timeoutMs", this.timeoutMs, "> 0");
    requireOption(Number.isFinite(this.cacheMs) && this.cacheMs >= 0, where, "cacheMs", this.cacheMs, ">= 0");
    for (const [key, value] of [
      ["failureThreshold", this.failureThreshold],
      ["successThreshold", this.successThreshold],
    ] as const)
      requireOption(Number.isInteger(value) && value >= 1, where, key, value, "an integer >= 1");
    this.#check = options.check;
    this.#breaker = options.breaker;
    this.#clock = options.clock ?? systemClock;
    this.#onRun = onRun;
  }

  /** The status after hysteresis (a breaker-only check reads the breaker now). */
  get status(): CheckStatus {
    if (this.#check === undefined) return DOWN_STATES.has(String(this.#breaker?.state)) ? "down" : "up";
    return this.#status;
  }

  /** Brings the result up to date: reuses a fresh one, joins a running check, or starts one. */
  current(): Promise<void> {
    if (this.#check === undefined) return Promise.resolve();
    if (this.#running !== undefined) return this.#running;
    if (this.#last && this.#clock.now() - this.#last.at < this.cacheMs) return Promise.resolve();
    const running = this.#run(this.#check).finally(() => {
      this.#running = undefined;
    });
    this.#running = running;
    return running;
  }

  /** The JSON view. */
  report(): CheckReport {
    const now = this.#clock.now();
    const last = this.#last;
    const out: CheckReport = {
      status: this.status,
      critical: this.critical,
      latencyMs: last ? last.latencyMs : null,
      ageMs: last ? now - last.at : null,
      lastRunOk: last ? last.ok : null,
      consecutiveFailures: this.#failures,
    };
    if (last?.error !== undefined) out.error = last.error;
    if (this.#breaker !== undefined) out.breaker = String(this.#breaker.state);
    return out;
  }

  async #run(check: (signal: AbortSignal) => unknown): Promise<void> {
    this.runs++;
    const started = this.#clock.now();
    const controller = new AbortController();
    let timer: { cancel(): void } | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = this.#clock.schedule(this.timeoutMs, () => resolve("timeout"));
    });
    let ok = false;
    let error: string | undefined;
    let expired = false;
    try {
      // Promise.resolve().then: a check that throws synchronously is a failure, not a crash.
      const outcome = await Promise.race([Promise.resolve().then(() => check(controller.signal)), timedOut]);
      if (outcome === "timeout") {
        expired = true;
        error = `timed out after ${this.timeoutMs} ms`;
        controller.abort(new Error(error));
      } else if (outcome === false) {
        error = "check returned false";
      } else ok = true;
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    } finally {
      timer?.cancel();
    }
    const at = this.#clock.now();
    const run: CheckRun = { ok, timedOut: expired, latencyMs: at - started, at, error };
    this.#last = run;
    this.#apply(ok);
    this.#onRun(this, run);
  }

  #apply(ok: boolean): void {
    if (ok) {
      this.#successes++;
      this.#failures = 0;
      if (this.#status === "pending" || (this.#status === "down" && this.#successes >= this.successThreshold))
        this.#status = "up";
    } else {
      this.#failures++;
      this.#successes = 0;
      if (this.#status === "pending" || (this.#status === "up" && this.#failures >= this.failureThreshold))
        this.#status = "down";
    }
  }
}
