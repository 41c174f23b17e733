import type { Clock, Events, Listener, Unsubscribe } from "@nines/core";
import { admitCall, settleProbe } from "./breaker-admission.js";
import type { CircuitBreakerEvents } from "./breaker-events.js";
import { BreakerMachine } from "./breaker-machine.js";
import { breakerSettings, type CircuitBreakerOptions } from "./breaker-options.js";
import { breakerSnapshot, breakerToJSON, type CircuitBreakerSnapshot, restoreBreaker } from "./breaker-snapshot.js";
import { type CircuitBreakerJSON, type CircuitState, parseCircuitBreakerJSON } from "./breaker-state.js";
import { isNotDependencyFailure } from "./classify-error.js";
import { invokeOperation } from "./execution-context.js";
import type { FailureWindow } from "./failure-window.js";
import { forwardFailures } from "./forwarding.js";
import { startExecution } from "./pipeline.js";
import type { ExecuteOptions, ExecutionContext, Operation, PipelineStage } from "./policy.js";

export type { CircuitBreakerEvents } from "./breaker-events.js";
export type { CircuitBreakerOptions } from "./breaker-options.js";
export type { CircuitBreakerSnapshot } from "./breaker-snapshot.js";

/**
 * A circuit breaker: fails fast while a dependency is failing, probes it, and
 * lets traffic back gradually. A {@link PipelineStage}, so it composes with
 * `wrap`. Rejections throw `NINES_RESILIENCE_CIRCUIT_OPEN` with
 * `details.retryAfterMs`. Its parts: the options (`breaker-options.ts`), the
 * states and moves (`breaker-machine.ts`), admission with half-open probes
 * and the ramp-up (`breaker-admission.ts`, `breaker-rejection.ts`), snapshot
 * and JSON (`breaker-snapshot.ts`); this file runs the calls.
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
  readonly #machine: BreakerMachine;
  // Copies of the machine's settings that the hot path reads without another hop.
  readonly #clock: Clock;
  readonly #window: FailureWindow;
  readonly #windowNeedsTime: boolean;
  readonly #slowCallMs: number;
  readonly #tracksSlow: boolean;
  readonly #isFailure: ((error: unknown) => boolean) | undefined;
  readonly #events: Events<CircuitBreakerEvents>;
  readonly #head: (context: ExecutionContext) => Promise<unknown>;
  /** Somebody listens to `success` / `failure`: kept up to date by `on` so the hot path reads a field, not the emitter. */
  #listensSuccess = false;
  #listensFailure = false;
  /** Durations are measured: `slowCallMs` is set or somebody listens to `success` / `failure`. */
  #timed: boolean;

  constructor(options: CircuitBreakerOptions) {
    const settings = breakerSettings(options);
    this.name = settings.name;
    this.#machine = new BreakerMachine(settings);
    this.#clock = settings.clock;
    this.#window = settings.window;
    this.#windowNeedsTime = settings.windowNeedsTime;
    this.#slowCallMs = settings.slowCallMs;
    this.#tracksSlow = settings.tracksSlow;
    this.#timed = settings.tracksSlow;
    this.#isFailure = settings.isFailure;
    this.#events = this.#machine.events;
    if (options.initialState !== undefined)
      restoreBreaker(this.#machine, parseCircuitBreakerJSON(options.initialState));
    this.#head = (context) => this.#run(invokeOperation, context, undefined);
    forwardFailures(this, (next, context, onFailure) => this.#run(next, context, onFailure));
  }

  /** The current state (an open circuit whose open duration has passed reports, and becomes, `halfOpen`). */
  get state(): CircuitState {
    return this.#machine.current();
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

  run<T>(next: (context: ExecutionContext) => Promise<T>, context: ExecutionContext): Promise<T> {
    return this.#run(next, context, undefined);
  }

  #run<T>(
    next: (context: ExecutionContext) => Promise<T>,
    context: ExecutionContext,
    onFailure: ((error: unknown) => Promise<T>) | undefined,
  ): Promise<T> {
    const machine = this.#machine;
    if (machine.state !== "closed" || machine.rampStartedAt !== undefined || this.#timed)
      return this.#runTracked(next, context, onFailure);
    // Fast path (closed, no ramp, nothing timed): no async frame, one `then`, no emitter lookup.
    const generation = machine.generation;
    let pending: Promise<T>;
    try {
      pending = next(context);
    } catch (error) {
      pending = Promise.reject(error);
    }
    if (onFailure === undefined)
      return pending.then(
        (value) => {
          if (generation === machine.generation) this.#recordPlainSuccess();
          return value;
        },
        (error: unknown) => {
          this.#settle(generation, false, false, 0, true, error, context);
          throw error;
        },
      );
    return pending.then(
      (value) => {
        if (generation === machine.generation) this.#recordPlainSuccess();
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
    if (reason !== undefined) this.#machine.open(reason, this.#clock.now());
  }

  async #runTracked<T>(
    next: (context: ExecutionContext) => Promise<T>,
    context: ExecutionContext,
    onFailure: ((error: unknown) => Promise<T>) | undefined,
  ): Promise<T> {
    let probe: boolean;
    try {
      probe = admitCall(this.#machine);
    } catch (rejection) {
      if (onFailure !== undefined) return onFailure(rejection);
      throw rejection;
    }
    const generation = this.#machine.generation;
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
    this.#machine.transition("isolated", this.#clock.now());
  }

  /** Closes the circuit at once (no ramp-up) and forgets recorded calls and openings. */
  reset(): void {
    this.#machine.reset(this.#clock.now());
  }

  snapshot(): CircuitBreakerSnapshot {
    return breakerSnapshot(this.#machine);
  }

  /** The state as JSON, for `initialState` in a later process. Calls in flight are not saved. */
  toJSON(): CircuitBreakerJSON {
    return breakerToJSON(this.#machine);
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
    const machine = this.#machine;
    const durationMs = timed ? this.#clock.now() - started : undefined;
    const slow = durationMs !== undefined && durationMs > this.#slowCallMs;
    const current = generation === machine.generation;
    if (
      failed &&
      (isNotDependencyFailure(error, context) || (this.#isFailure !== undefined && !this.#isFailure(error)))
    ) {
      if (probe && current) machine.probesAdmitted--; // frees the probe slot for another caller
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
      settleProbe(machine, failed || slow);
      return;
    }
    const reason = this.#window.record(failed, slow, this.#windowNeedsTime ? this.#clock.now() : 0);
    if (reason !== undefined) machine.open(reason, this.#clock.now());
  }
}

/**
 * Builds a {@link CircuitBreaker}, validating the options (`NINES_OPTION_INVALID` names the bad one).
 *
 * @example
 * const breaker = circuitBreaker({ window: { kind: "consecutive", failureThreshold: 5 }, openMs: 10_000 });
 */
export function circuitBreaker(options: CircuitBreakerOptions): CircuitBreaker {
  return new CircuitBreaker(options);
}
