import { type Clock, requireKnownOptions, requireOption, systemClock } from "@nines/core";

/**
 * The drain's defaults, in ms. The longest a drain can take is
 * `delayMs + graceMs` plus the time limit of each cleanup hook
 * (`cleanupTimeoutMs` unless the hook sets its own), so Kubernetes'
 * `terminationGracePeriodSeconds` must exceed that sum (plus any `preStop`
 * sleep that runs before SIGTERM): with these defaults and one hook,
 * 5 + 20 + 5 = 30 s, so at least 31 s.
 *
 * @example
 * const drainBudgetMs = DRAIN_DEFAULTS.delayMs + DRAIN_DEFAULTS.graceMs + hooks * DRAIN_DEFAULTS.cleanupTimeoutMs;
 */
export const DRAIN_DEFAULTS = Object.freeze({ delayMs: 5000, graceMs: 20_000, cleanupTimeoutMs: 5000 });

/** Options of the drain timeline (`drain` in `createGuard`); defaults in {@link DRAIN_DEFAULTS}. */
export interface DrainOptions {
  /** How long readiness fails before the server stops accepting, so load balancers notice (default 5000 ms). */
  delayMs?: number;
  /** How long in-flight requests may take to finish once the server stops accepting (default 20000 ms). */
  graceMs?: number;
  /** Default time limit of each cleanup hook (default 5000 ms). */
  cleanupTimeoutMs?: number;
}

const DRAIN_OPTION_KEYS = ["delayMs", "graceMs", "cleanupTimeoutMs"] as const;

/** A cleanup hook, run after the last request, in registration order (`guard.onCleanup`). */
export interface CleanupHook {
  name: string;
  /** Close pools, flush buffers; honour `signal`, which aborts at the time limit. */
  run: (signal: AbortSignal) => unknown;
  timeoutMs?: number;
}

/** What one cleanup hook did. */
export interface HookReport {
  name: string;
  status: "ok" | "failed" | "timed_out";
  durationMs: number;
  error?: string;
}

/** What a drain did, returned by `guard.drain()`. */
export interface DrainReport {
  reason: string;
  /** False when a cleanup hook failed or was cut off. */
  ok: boolean;
  startedAt: number;
  /** When the server stopped accepting connections. */
  stoppedAcceptingAt: number;
  /** When the last in-flight request finished, or the grace period ran out. */
  requestsDoneAt: number;
  finishedAt: number;
  /** Requests still running when the server stopped accepting. */
  inflightAtStop: number;
  /** Requests cut off at the end of the grace period (their connections destroyed). */
  abandoned: number;
  hooks: HookReport[];
}

/**
 * What the drainer acts on (the guard provides it; tests give a stand-in).
 *
 * @example
 * const target: DrainTarget = { markDraining, stopAccepting, inflight: () => n, whenIdle, closeAll };
 */
export interface DrainTarget {
  /** Readiness fails from now on. */
  markDraining(): void;
  /** Stop accepting connections and close idle keep-alive sockets. */
  stopAccepting(): void;
  /** Requests running now. */
  inflight(): number;
  /** Resolves when no request runs. */
  whenIdle(): Promise<void>;
  /** Destroys every remaining connection. */
  closeAll(): void;
}

/**
 * The graceful drain timeline: fail readiness at once, wait `delayMs`, stop
 * accepting and close idle sockets, let in-flight requests finish for up to
 * `graceMs`, destroy what is left, then run cleanup hooks, each cut off at
 * its time limit. `drain()` twice returns the same promise.
 *
 * @example
 * const drainer = new Drainer({ delayMs: 5000, graceMs: 20_000, clock }, target);
 * drainer.onCleanup({ name: "db", run: () => pool.end() });
 * const report = await drainer.drain("SIGTERM");
 */
export class Drainer {
  readonly delayMs: number;
  readonly graceMs: number;
  readonly cleanupTimeoutMs: number;
  readonly #clock: Clock;
  readonly #target: DrainTarget;
  readonly #hooks: CleanupHook[] = [];
  #draining: Promise<DrainReport> | undefined;

  constructor(options: DrainOptions & { clock?: Clock }, target: DrainTarget) {
    requireOption(typeof options === "object" && options !== null, "guard drain", "options", options, "an object");
    requireKnownOptions("guard drain", options, [...DRAIN_OPTION_KEYS, "clock"]);
    this.delayMs = options.delayMs ?? DRAIN_DEFAULTS.delayMs;
    this.graceMs = options.graceMs ?? DRAIN_DEFAULTS.graceMs;
    this.cleanupTimeoutMs = options.cleanupTimeoutMs ?? DRAIN_DEFAULTS.cleanupTimeoutMs;
    for (const [key, value] of [
      ["delayMs", this.delayMs],
      ["graceMs", this.graceMs],
      ["cleanupTimeoutMs", this.cleanupTimeoutMs],
    ] as const)
      requireOption(Number.isFinite(value) && value >= 0, "guard drain", key, value, "a number of ms >= 0");
    this.#clock = options.clock ?? systemClock;
    this.#target = target;
  }

  /** True once `drain()` was called. */
  get started(): boolean {
    return this.#draining !== undefined;
  }

  onCleanup(hook: CleanupHook): void {
    requireOption(typeof hook?.name === "string", "guard cleanup hook", "name", hook?.name, "a string");
    requireOption(typeof hook.run === "function", `cleanup hook ${hook.name}`, "run", hook.run, "a function");
    const limit = hook.timeoutMs ?? this.cleanupTimeoutMs;
    requireOption(Number.isFinite(limit) && limit > 0, `cleanup hook ${hook.name}`, "timeoutMs", limit, "> 0");
    this.#hooks.push(hook);
  }

  drain(reason = "drain()"): Promise<DrainReport> {
    this.#draining ??= this.#run(reason);
    return this.#draining;
  }

  async #run(reason: string): Promise<DrainReport> {
    const clock = this.#clock;
    const target = this.#target;
    const startedAt = clock.now();
    target.markDraining();
    if (this.delayMs > 0) await clock.sleep(this.delayMs);
    const stoppedAcceptingAt = clock.now();
    const inflightAtStop = target.inflight();
    target.stopAccepting();
    let abandoned = 0;
    if (target.inflight() > 0) {
      const grace = new AbortController();
      // Resolves either way: at the deadline, or quietly when the grace timer is cancelled.
      const expired = clock.sleep(this.graceMs, grace.signal).catch(() => undefined);
      await Promise.race([target.whenIdle(), expired]);
      grace.abort();
      abandoned = target.inflight();
    }
    const requestsDoneAt = clock.now();
    target.closeAll();
    const hooks: HookReport[] = [];
    for (const hook of this.#hooks) hooks.push(await this.#runHook(hook));
    return {
      reason,
      ok: hooks.every((h) => h.status === "ok"),
      startedAt,
      stoppedAcceptingAt,
      requestsDoneAt,
      finishedAt: clock.now(),
      inflightAtStop,
      abandoned,
      hooks,
    };
  }

  async #runHook(hook: CleanupHook): Promise<HookReport> {
    const clock = this.#clock;
    const limit = hook.timeoutMs ?? this.cleanupTimeoutMs;
    const started = clock.now();
    const controller = new AbortController();
    const timer = new AbortController();
    const expired = clock.sleep(limit, timer.signal).then(
      () => "timeout" as const,
      () => "cancelled" as const,
    );
    try {
      const result = await Promise.race([Promise.resolve().then(() => hook.run(controller.signal)), expired]);
      if (result === "timeout") {
        controller.abort(new Error(`cleanup hook ${hook.name} cut off after ${limit} ms`));
        return {
          name: hook.name,
          status: "timed_out",
          durationMs: clock.now() - started,
          error: `cut off after ${limit} ms`,
        };
      }
      return { name: hook.name, status: "ok", durationMs: clock.now() - started };
    } catch (e) {
      return {
        name: hook.name,
        status: "failed",
        durationMs: clock.now() - started,
        error: e instanceof Error ? e.message : String(e),
      };
    } finally {
      timer.abort();
    }
  }
}
