import {
  type Clock,
  Events,
  type Listener,
  NinesError,
  type Random,
  requireOption,
  systemClock,
  systemRandom,
  type Unsubscribe,
} from "@nines/core";
import type { Backoff } from "./backoff.js";
import { type CircuitBreakerJSON, type CircuitState, parseCircuitBreakerJSON } from "./breaker-state.js";
import { isNotDependencyFailure } from "./classify-error.js";
import { RESILIENCE_ERRORS } from "./errors.js";
import { invokeOperation } from "./execution-context.js";
import {
  createFailureWindow,
  type FailureWindow,
  type FailureWindowOptions,
  type OpenReason,
  type WindowSnapshot,
} from "./failure-window.js";
import { startExecution } from "./pipeline.js";
import type { ExecuteOptions, ExecutionContext, Operation, PipelineStage, PolicyEnvironment } from "./policy.js";

/** Options of {@link circuitBreaker}. Every count and threshold is spelled out in docs/resilience.md. */
export interface CircuitBreakerOptions extends PolicyEnvironment {
  /** Named in errors and events (default "circuit"). */
  name?: string;
  /** When to open while closed. */
  window: FailureWindowOptions;
  /** A call that takes longer than this (`>`) is slow. Unset: durations are not tracked. */
  slowCallMs?: number;
  /**
   * Open duration: a fixed number of ms (default 30000), or a {@link Backoff}
   * (for example `exponentialBackoff(...)`) asked with the number of openings
   * since the circuit last closed (1 = first) and the previous open duration.
   */
  openMs?: number | Backoff;
  /** Probe calls admitted in half-open (default 1); all must succeed to close. */
  halfOpenProbes?: number;
  /** After closing, the admitted fraction grows linearly to 1 over this many ms (default 0: no ramp). */
  rampUpMs?: number;
  /** The admitted fraction right after closing (default 0.1). */
  rampUpStartFraction?: number;
  /** For the ramp-up coin (a jittered open duration takes randomness from its own backoff). */
  random?: Random;
  /** Which errors count as failures (default: all but the ones nines never counts). False: ignored. */
  isFailure?: (error: unknown) => boolean;
  /** State saved by `toJSON()` in an earlier process. */
  initialState?: CircuitBreakerJSON;
}

/** Events a breaker emits; all are synchronous and cheap when nobody listens. */
export interface CircuitBreakerEvents {
  stateChange: { from: CircuitState; to: CircuitState; at: number };
  open: { at: number; openUntil: number; openMs: number; reason: OpenReason | "probeFailed"; window: WindowSnapshot };
  halfOpen: { at: number };
  closed: { at: number; rampUntil: number | undefined };
  isolated: { at: number };
  /** `durationMs` is measured when `slowCallMs` is set or someone listens to success/failure. */
  success: { durationMs: number | undefined; slow: boolean; probe: boolean };
  failure: { error: unknown; durationMs: number | undefined; slow: boolean; probe: boolean };
  /** A call ended with an error that is not a dependency failure (abort, bulkhead full, overloaded, isFailure false). */
  ignored: { error: unknown };
  rejection: { error: NinesError; state: CircuitState };
}

/** What `snapshot()` reports. */
export interface CircuitBreakerSnapshot {
  state: CircuitState;
  window: WindowSnapshot;
  openings: number;
  /** When open: ms until the next probe is allowed; otherwise 0. */
  retryAfterMs: number;
  /** The fraction of calls admitted now (1 when closed and not ramping, 0 when open or isolated). */
  admittedFraction: number;
}

/**
 * A circuit breaker: fails fast while a dependency is failing, probes it, and
 * lets traffic back gradually. A {@link PipelineStage}, so it composes with
 * `wrap`. Rejections throw `NINES_RESILIENCE_CIRCUIT_OPEN` with
 * `details.retryAfterMs`.
 *
 * @example
 * const breaker = circuitBreaker({
 *   window: { kind: "count", size: 20, minimumCalls: 10, failureRateThreshold: 0.5 },
 *   openMs: exponentialBackoff({ initialDelayMs: 1000, maxDelayMs: 60_000, jitter: "equal" }),
 *   halfOpenProbes: 2, rampUpMs: 10_000,
 * });
 * breaker.on("open", (e) => log.warn("db circuit opened", e.reason));
 * const rows = await breaker.execute(({ signal }) => db.query(sql, { signal }));
 */
export class CircuitBreaker implements PipelineStage {
  readonly name: string;
  /** Honours `run`'s `onFailure`: with a retry right above, retry + breaker cost one promise hop. */
  readonly forwardsFailure = true;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #window: FailureWindow;
  readonly #windowNeedsTime: boolean;
  readonly #slowCallMs: number;
  readonly #tracksSlow: boolean;
  readonly #openMs: number | Backoff;
  readonly #probes: number;
  readonly #rampUpMs: number;
  readonly #rampStart: number;
  readonly #isFailure: ((error: unknown) => boolean) | undefined;
  readonly #events = new Events<CircuitBreakerEvents>();
  readonly #head: (context: ExecutionContext) => Promise<unknown>;
  /** Somebody listens to `success` / `failure`: kept up to date by `on` so the hot path reads a field, not the emitter. */
  #listensSuccess = false;
  #listensFailure = false;
  /** Durations are measured: `slowCallMs` is set or somebody listens to `success` / `failure`. */
  #timed: boolean;

  #state: CircuitState = "closed";
  /** Bumped on every transition; results of calls admitted under an earlier state are not recorded. */
  #generation = 0;
  #openUntil = 0;
  #openings = 0;
  /** The last open duration (0 after closing): the backoff's `previousMs`, and the half-open rejection's estimate. */
  #lastOpenMs = 0;
  #probesAdmitted = 0;
  #probeSuccesses = 0;
  #rampStartedAt: number | undefined;

  constructor(options: CircuitBreakerOptions) {
    requireOption(typeof options === "object" && options !== null, "circuitBreaker", "options", options, "an object");
    this.name = options.name ?? "circuit";
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? systemRandom;
    this.#window = createFailureWindow(options.window);
    this.#windowNeedsTime = options.window.kind === "time";
    const slow = options.slowCallMs;
    requireOption(
      slow === undefined || (typeof slow === "number" && slow >= 0),
      "circuitBreaker",
      "slowCallMs",
      slow,
      ">= 0",
    );
    this.#tracksSlow = slow !== undefined;
    this.#slowCallMs = slow ?? Number.POSITIVE_INFINITY;
    this.#timed = this.#tracksSlow;
    const openMs = options.openMs ?? 30_000;
    requireOption(
      typeof openMs === "number" ? Number.isFinite(openMs) && openMs >= 0 : typeof openMs?.delayMs === "function",
      "circuitBreaker",
      "openMs",
      openMs,
      "a number >= 0 or a Backoff",
    );
    this.#openMs = openMs;
    this.#probes = options.halfOpenProbes ?? 1;
    requireOption(
      Number.isInteger(this.#probes) && this.#probes >= 1,
      "circuitBreaker",
      "halfOpenProbes",
      this.#probes,
      "an integer >= 1",
    );
    this.#rampUpMs = options.rampUpMs ?? 0;
    requireOption(
      Number.isFinite(this.#rampUpMs) && this.#rampUpMs >= 0,
      "circuitBreaker",
      "rampUpMs",
      this.#rampUpMs,
      ">= 0",
    );
    this.#rampStart = options.rampUpStartFraction ?? 0.1;
    requireOption(
      typeof this.#rampStart === "number" && this.#rampStart >= 0 && this.#rampStart <= 1,
      "circuitBreaker",
      "rampUpStartFraction",
      this.#rampStart,
      "a ratio in 0..1",
    );
    this.#isFailure = options.isFailure;
    if (options.initialState !== undefined) this.#restore(parseCircuitBreakerJSON(options.initialState));
    this.#head = (context) => this.run(invokeOperation, context);
  }

  /** The current state (an open circuit whose open duration has passed reports, and becomes, `halfOpen`). */
  get state(): CircuitState {
    if (this.#state === "open" && this.#clock.now() >= this.#openUntil) this.#toHalfOpen(this.#clock.now());
    return this.#state;
  }

  on<K extends keyof CircuitBreakerEvents>(type: K, listener: Listener<CircuitBreakerEvents[K]>): Unsubscribe {
    const off = this.#events.on(type, listener);
    this.#updateListening();
    return () => {
      off();
      this.#updateListening();
    };
  }

  execute<T>(operation: Operation<T>, signal?: AbortSignal, options?: ExecuteOptions): Promise<T> {
    return startExecution(this.#head, operation, signal, options) as Promise<T>;
  }

  run<T>(
    next: (context: ExecutionContext) => Promise<T>,
    context: ExecutionContext,
    onFailure?: (error: unknown) => Promise<T>,
  ): Promise<T> {
    if (this.#state !== "closed" || this.#rampStartedAt !== undefined || this.#timed)
      return this.#runTracked(next, context, onFailure);
    // Fast path (closed, no ramp, nothing timed): no async frame, one `then`, no emitter lookup.
    const generation = this.#generation;
    let pending: Promise<T>;
    try {
      pending = next(context);
    } catch (error) {
      pending = Promise.reject(error);
    }
    // Handlers passed inline (a named closure costs a defineProperty per call under tsx's keepNames).
    if (onFailure === undefined)
      return pending.then(
        (value) => {
          if (generation === this.#generation) this.#recordPlainSuccess();
          return value;
        },
        (error: unknown) => {
          this.#settle(generation, false, false, 0, true, error, context);
          throw error;
        },
      );
    return pending.then(
      (value) => {
        if (generation === this.#generation) this.#recordPlainSuccess();
        return value;
      },
      (error: unknown) => {
        this.#settle(generation, false, false, 0, true, error, context);
        return onFailure(error);
      },
    );
  }

  /** A success on the fast path: nobody listens, nothing timed, not a probe, admitted under the current state. */
  #recordPlainSuccess(): void {
    const reason = this.#window.record(false, false, this.#windowNeedsTime ? this.#clock.now() : 0);
    if (reason !== undefined) this.#open(reason, this.#clock.now());
  }

  async #runTracked<T>(
    next: (context: ExecutionContext) => Promise<T>,
    context: ExecutionContext,
    onFailure: ((error: unknown) => Promise<T>) | undefined,
  ): Promise<T> {
    let probe: boolean;
    try {
      probe = this.#admit();
    } catch (rejection) {
      if (onFailure !== undefined) return onFailure(rejection);
      throw rejection;
    }
    const generation = this.#generation;
    const timed = this.#timed;
    const started = timed ? this.#clock.now() : 0;
    let value: T;
    try {
      value = await next(context);
    } catch (error) {
      this.#settle(generation, probe, timed, started, true, error, context);
      if (onFailure !== undefined) return onFailure(error);
      throw error;
    }
    this.#settle(generation, probe, timed, started, false, undefined, context);
    return value;
  }

  #updateListening(): void {
    this.#listensSuccess = this.#events.has("success");
    this.#listensFailure = this.#events.has("failure");
    this.#timed = this.#tracksSlow || this.#listensSuccess || this.#listensFailure;
  }

  /** Opens the circuit by hand until {@link reset}: every call is rejected. */
  isolate(): void {
    this.#transition("isolated", this.#clock.now());
  }

  /** Closes the circuit at once (no ramp-up) and forgets recorded calls and openings. */
  reset(): void {
    const now = this.#clock.now();
    const was = this.#state;
    this.#window.reset();
    this.#openings = 0;
    this.#lastOpenMs = 0;
    this.#rampStartedAt = undefined;
    this.#transition("closed", now);
    if (was !== "closed") this.#emitClosed(now);
  }

  snapshot(): CircuitBreakerSnapshot {
    const state = this.state;
    const now = this.#clock.now();
    return {
      state,
      window: this.#window.snapshot(now),
      openings: this.#openings,
      retryAfterMs: state === "open" ? this.#openUntil - now : 0,
      admittedFraction: state === "closed" ? this.#rampFraction(now) : 0,
    };
  }

  /** The state as JSON, for `initialState` in a later process. Calls in flight are not saved. */
  toJSON(): CircuitBreakerJSON {
    const json: CircuitBreakerJSON = {
      version: 1,
      state: this.#state,
      openings: this.#openings,
      window: this.#window.toJSON(),
    };
    if (this.#state === "open") json.openUntil = this.#openUntil;
    if (this.#lastOpenMs > 0) json.lastOpenMs = this.#lastOpenMs;
    if (this.#state === "closed" && this.#rampStartedAt !== undefined) json.rampStartedAt = this.#rampStartedAt;
    return json;
  }

  /** Returns true for a probe, false for an ordinary call; throws the rejection. */
  #admit(): boolean {
    switch (this.#state) {
      case "closed":
        if (this.#rampStartedAt !== undefined) this.#admitRamp();
        return false;
      case "open": {
        const now = this.#clock.now();
        if (now < this.#openUntil) throw this.#reject(this.#openUntil - now, 0);
        this.#toHalfOpen(now);
        return this.#admitProbe();
      }
      case "halfOpen":
        return this.#admitProbe();
      default:
        throw this.#reject(undefined, 0);
    }
  }

  #admitProbe(): boolean {
    if (this.#probesAdmitted < this.#probes) {
      this.#probesAdmitted++;
      return true;
    }
    throw this.#reject(this.#lastOpenMs, 0);
  }

  #admitRamp(): void {
    const fraction = this.#rampFraction(this.#clock.now());
    if (fraction >= 1) {
      this.#rampStartedAt = undefined;
      return;
    }
    if (this.#random.next() >= fraction) throw this.#reject(0, fraction);
  }

  #rampFraction(now: number): number {
    if (this.#rampStartedAt === undefined) return 1;
    const elapsed = now - this.#rampStartedAt;
    if (elapsed >= this.#rampUpMs) return 1;
    return this.#rampStart + ((1 - this.#rampStart) * Math.max(0, elapsed)) / this.#rampUpMs;
  }

  #settle(
    generation: number,
    probe: boolean,
    timed: boolean,
    started: number,
    failed: boolean,
    error: unknown,
    context: ExecutionContext,
  ): void {
    const durationMs = timed ? this.#clock.now() - started : undefined;
    const slow = durationMs !== undefined && durationMs > this.#slowCallMs;
    const current = generation === this.#generation;
    if (
      failed &&
      (isNotDependencyFailure(error, context) || (this.#isFailure !== undefined && !this.#isFailure(error)))
    ) {
      if (probe && current) this.#probesAdmitted--; // frees the probe slot for another caller
      if (this.#events.has("ignored")) this.#events.emit("ignored", { error });
      return;
    }
    if (failed) {
      if (this.#listensFailure) this.#events.emit("failure", { error, durationMs, slow, probe });
    } else if (this.#listensSuccess) {
      this.#events.emit("success", { durationMs, slow, probe });
    }
    if (!current) return; // admitted before the last transition: says nothing about the new state
    if (probe) {
      if (failed || slow) this.#open("probeFailed", this.#clock.now());
      else if (++this.#probeSuccesses >= this.#probes) this.#close(this.#clock.now());
      return;
    }
    const reason = this.#window.record(failed, slow, this.#windowNeedsTime ? this.#clock.now() : 0);
    if (reason !== undefined) this.#open(reason, this.#clock.now());
  }

  #open(reason: OpenReason | "probeFailed", now: number): void {
    const window = this.#events.has("open") ? this.#window.snapshot(now) : EMPTY;
    this.#openings++;
    const openMs =
      typeof this.#openMs === "number"
        ? this.#openMs
        : Math.max(0, this.#openMs.delayMs(this.#openings, this.#lastOpenMs));
    this.#lastOpenMs = openMs;
    this.#openUntil = now + openMs;
    this.#window.reset();
    this.#rampStartedAt = undefined;
    this.#transition("open", now);
    if (this.#events.has("open"))
      this.#events.emit("open", { at: now, openUntil: this.#openUntil, openMs, reason, window });
  }

  #toHalfOpen(now: number): void {
    this.#transition("halfOpen", now);
    if (this.#events.has("halfOpen")) this.#events.emit("halfOpen", { at: now });
  }

  #close(now: number): void {
    this.#openings = 0;
    this.#lastOpenMs = 0;
    this.#window.reset();
    this.#rampStartedAt = this.#rampUpMs > 0 ? now : undefined;
    this.#transition("closed", now);
    this.#emitClosed(now);
  }

  #emitClosed(now: number): void {
    if (this.#events.has("closed"))
      this.#events.emit("closed", {
        at: now,
        rampUntil: this.#rampStartedAt === undefined ? undefined : this.#rampStartedAt + this.#rampUpMs,
      });
  }

  #transition(to: CircuitState, now: number): void {
    const from = this.#state;
    this.#state = to;
    this.#generation++;
    this.#probesAdmitted = 0;
    this.#probeSuccesses = 0;
    if (from !== to && this.#events.has("stateChange")) this.#events.emit("stateChange", { from, to, at: now });
    if (from !== to && to === "isolated" && this.#events.has("isolated")) this.#events.emit("isolated", { at: now });
  }

  #reject(retryAfterMs: number | undefined, fraction: number): NinesError {
    const state = this.#state;
    let message: string;
    let hint = "retry after details.retryAfterMs, or use a fallback while the dependency recovers";
    if (state === "open") {
      message = `circuit breaker "${this.name}" is open; the next probe is allowed in ${retryAfterMs} ms`;
    } else if (state === "halfOpen") {
      message = `circuit breaker "${this.name}" is half-open and its ${this.#probes} probe(s) are running; if they fail, the next probe is allowed in about ${retryAfterMs} ms (the last open duration)`;
    } else if (state === "isolated") {
      message = `circuit breaker "${this.name}" is isolated by hand; no call is allowed until reset()`;
      hint = "call reset() on the breaker to let calls through again";
    } else {
      const percent = Math.round(fraction * 1000) / 10;
      message = `circuit breaker "${this.name}" is ramping up after closing and admits ${percent}% of calls; this one was not admitted; the next call may be tried at once (retryAfterMs 0)`;
    }
    const details: Record<string, unknown> = { breaker: this.name, state };
    if (retryAfterMs !== undefined) details.retryAfterMs = retryAfterMs;
    if (state === "closed") details.admittedFraction = fraction;
    const error = new NinesError(RESILIENCE_ERRORS.circuitOpen, message, { hint, details });
    if (this.#events.has("rejection")) this.#events.emit("rejection", { error, state });
    return error;
  }

  #restore(saved: CircuitBreakerJSON): void {
    this.#window.restore(saved.window);
    this.#openings = saved.openings;
    this.#lastOpenMs = saved.lastOpenMs ?? 0;
    this.#state = saved.state;
    if (saved.state === "open") this.#openUntil = saved.openUntil ?? 0;
    if (saved.state === "closed" && saved.rampStartedAt !== undefined && this.#rampUpMs > 0)
      this.#rampStartedAt = saved.rampStartedAt;
  }
}

const EMPTY: WindowSnapshot = { calls: 0, failures: 0, slowCalls: 0 };

/**
 * Builds a {@link CircuitBreaker}, validating the options (`NINES_OPTION_INVALID` names the bad one).
 *
 * @example
 * const breaker = circuitBreaker({ window: { kind: "consecutive", threshold: 5 }, openMs: 10_000 });
 */
export function circuitBreaker(options: CircuitBreakerOptions): CircuitBreaker {
  return new CircuitBreaker(options);
}
