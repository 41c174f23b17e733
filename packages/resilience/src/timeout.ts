import {
  type Clock,
  Events,
  type Listener,
  NinesError,
  requireOption,
  systemClock,
  type Timer,
  type Unsubscribe,
} from "@nines/core";
import { Deadline, DeadlineQueue } from "./deadline-queue.js";
import { RESILIENCE_ERRORS } from "./errors.js";
import { Execution } from "./execution-context.js";
import { Pipeline } from "./pipeline.js";
import type { ExecuteOptions, ExecutionContext, Operation, PipelineStage, PolicyEnvironment } from "./policy.js";

/**
 * `aggressive` rejects the moment the time is up, even if the operation
 * ignores its signal (its promise is left to settle on its own);
 * `cooperative` aborts the signal and waits for the operation to stop.
 */
export type TimeoutMode = "aggressive" | "cooperative";

/** Options of {@link timeout}. */
export interface TimeoutOptions extends PolicyEnvironment {
  /** Milliseconds the wrapped part may take (> 0). */
  ms: number;
  /** Default "aggressive". */
  mode?: TimeoutMode;
}

/** Events a timeout emits. */
export interface TimeoutEvents {
  /** The time ran out; `timeoutMs` is the time the wrapped part had (its own or what the outer deadline left). */
  timeout: { timeoutMs: number };
}

/**
 * Bounds the time of what it wraps. Outside a retry it is the overall
 * deadline of the execution, inside it bounds each attempt; either way the
 * deadline is carried down the pipeline: the operation sees it as
 * `context.deadline` and `context.remaining()`, retries never sleep past it,
 * and an inner timeout never outlives an outer one. When the time is up the
 * context's signal aborts with, and the execution rejects with,
 * `NINES_RESILIENCE_TIMEOUT` (`details.timeoutMs`).
 *
 * @example
 * const policy = wrap(timeout({ ms: 2000 }), retry({ idempotent: true }), timeout({ ms: 500, mode: "cooperative" }));
 * await policy.execute(({ signal, remaining }) => db.query(sql, { signal, timeoutMs: remaining() }));
 */
export class Timeout implements PipelineStage {
  readonly ms: number;
  readonly mode: TimeoutMode;
  /** Honours `run`'s `onFailure` (one promise hop with a retry right above). */
  readonly forwardsFailure = true;
  readonly #clock: Clock;
  readonly #events = new Events<TimeoutEvents>();
  readonly #deadlines: DeadlineQueue;
  #alone: Pipeline | undefined;

  constructor(options: TimeoutOptions) {
    requireOption(typeof options === "object" && options !== null, "timeout", "options", options, "an object");
    requireOption(Number.isFinite(options.ms) && options.ms > 0, "timeout", "ms", options.ms, "> 0");
    const mode = options.mode ?? "aggressive";
    requireOption(
      mode === "aggressive" || mode === "cooperative",
      "timeout",
      "mode",
      mode,
      "aggressive or cooperative",
    );
    this.ms = options.ms;
    this.mode = mode;
    this.#clock = options.clock ?? systemClock;
    this.#deadlines = new DeadlineQueue(this.#clock);
  }

  on<K extends keyof TimeoutEvents>(type: K, listener: Listener<TimeoutEvents[K]>): Unsubscribe {
    return this.#events.on(type, listener);
  }

  execute<T>(operation: Operation<T>, signal?: AbortSignal, options?: ExecuteOptions): Promise<T> {
    this.#alone ??= new Pipeline([this]);
    return this.#alone.execute(operation, signal, options);
  }

  run<T>(
    next: (context: ExecutionContext) => Promise<T>,
    context: ExecutionContext,
    onFailure?: (error: unknown) => Promise<T>,
  ): Promise<T> {
    const now = this.#clock.now();
    const child = Execution.of(context).withDeadline(now + this.ms, this.#clock);
    const wait = child.deadline - now;
    if (!(wait > 0)) {
      // The outer deadline has already passed: do not start what cannot finish.
      const error = this.expire(child, 0);
      child.dispose();
      return onFailure === undefined ? Promise.reject(error) : onFailure(error);
    }
    const call = new TimedCall(child.deadline, child, wait, this);
    if (wait === this.ms && child.deadline >= this.#deadlines.lastDeadline) {
      this.#deadlines.add(call, now);
    } else {
      // Cut short by an outer deadline (or the clock stepped back): out of order, so a timer of its own.
      call.timer = this.#clock.schedule(wait, () => {
        call.done = true;
        call.expire();
      });
    }
    return this.mode === "aggressive"
      ? this.#aggressive(next, call, onFailure)
      : this.#cooperative(next, call, onFailure);
  }

  #cooperative<T>(
    next: (context: ExecutionContext) => Promise<T>,
    call: TimedCall,
    onFailure: ((error: unknown) => Promise<T>) | undefined,
  ): Promise<T> {
    return start(next, call.child).then(
      (value) => {
        this.#settle(call);
        return value;
      },
      (error: unknown) => {
        this.#settle(call);
        const failure = call.child.aborted ? call.child.abortError() : error;
        if (onFailure !== undefined) return onFailure(failure);
        throw failure;
      },
    );
  }

  #aggressive<T>(
    next: (context: ExecutionContext) => Promise<T>,
    call: TimedCall,
    onFailure: ((error: unknown) => Promise<T>) | undefined,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const fail = onFailure === undefined ? reject : continueOnce(resolve, onFailure);
      call.reject = fail;
      start(next, call.child).then(
        (value) => {
          this.#settle(call);
          resolve(value);
        },
        (error: unknown) => {
          this.#settle(call);
          fail(call.child.aborted ? call.child.abortError() : error);
        },
      );
    });
  }

  #settle(call: TimedCall): void {
    if (call.timer !== undefined) {
      call.done = true;
      call.timer.cancel();
    } else if (!call.done) {
      this.#deadlines.settle(call);
    }
    call.child.dispose();
  }

  /** @internal Aborts the child with a timeout error and returns the error. */
  expire(child: Execution, timeoutMs: number): NinesError {
    const error = new NinesError(
      RESILIENCE_ERRORS.timeout,
      `timeout: the operation did not finish within ${timeoutMs} ms (timeout ${this.ms} ms, ${this.mode})`,
      {
        hint: "raise the timeout, make the dependency faster, or check the outer deadline that bounds this one",
        details: { timeoutMs, configuredMs: this.ms, mode: this.mode },
      },
    );
    child.abort(error);
    if (this.#events.has("timeout")) this.#events.emit("timeout", { timeoutMs });
    return child.abortError() ?? error;
  }
}

/**
 * Builds a {@link Timeout}; options are validated here.
 *
 * @example
 * const perAttempt = timeout({ ms: 300, clock });
 */
export function timeout(options: TimeoutOptions): Timeout {
  return new Timeout(options);
}

/**
 * The time running out and the operation failing may both happen: the
 * continuation runs once. (Made here so the closure is anonymous: a named
 * closure costs a defineProperty per call under tsx/esbuild's keepNames.)
 */
function continueOnce<T>(resolve: (value: Promise<T>) => void, onFailure: (error: unknown) => Promise<T>) {
  let failed = false;
  return (error: unknown): void => {
    if (failed) return;
    failed = true;
    resolve(onFailure(error));
  };
}

/** Calls `next`, turning a synchronous throw into a rejection. */
function start<T>(next: (context: ExecutionContext) => Promise<T>, context: ExecutionContext): Promise<T> {
  try {
    return next(context);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** One timed call: an entry of the stage's deadline queue (or with a timer of its own). */
class TimedCall extends Deadline {
  readonly child: Execution;
  readonly wait: number;
  readonly stage: Timeout;
  /** Set when the call has a timer of its own instead of a place in the stage's queue. */
  timer: Timer | undefined = undefined;
  /** Aggressive mode: rejects the stage's promise at once when the time is up. */
  reject: ((error: unknown) => void) | undefined = undefined;

  constructor(deadline: number, child: Execution, wait: number, stage: Timeout) {
    super(deadline);
    this.child = child;
    this.wait = wait;
    this.stage = stage;
  }

  expire(): void {
    const error = this.stage.expire(this.child, this.wait);
    this.reject?.(error);
  }
}
