import {
  type Clock,
  Events,
  type Listener,
  type NinesError,
  requireKnownOptions,
  requireOption,
  systemClock,
  type Timer,
  type Unsubscribe,
} from "@nines/core";
import { Deadline, DeadlineQueue } from "./deadline-queue.js";
import { RESILIENCE_ERRORS, ResilienceError } from "./errors.js";
import { Execution } from "./execution-context.js";
import { forwardFailures } from "./forwarding.js";
import { Pipeline } from "./pipeline.js";
import type { ExecuteOptions, ExecutionContext, Operation, PipelineStage, PolicyEnvironment } from "./policy.js";

/**
 * `aggressive` rejects the moment the time is up, even if the operation
 * ignores its signal (its promise is left to settle on its own);
 * `cooperative` aborts the signal and waits for the operation to stop.
 */
export type TimeoutMode = "aggressive" | "cooperative";

/**
 * Options of {@link timeout}.
 *
 * @example
 * const options: TimeoutOptions = { timeoutMs: 500, mode: "cooperative" };
 */
export interface TimeoutOptions extends PolicyEnvironment {
  /** Milliseconds the wrapped part may take (a number > 0). */
  timeoutMs: number;
  /** Default "aggressive". */
  mode?: TimeoutMode;
}

const KNOWN_OPTIONS = ["timeoutMs", "mode", "clock", "errorStacks"];

/**
 * Events a timeout emits.
 *
 * @example
 * policy.on("timeout", ({ timeoutMs }) => metrics.timeouts.inc({ timeoutMs }));
 */
export interface TimeoutEvents {
  /** The time ran out; `timeoutMs` is the time the wrapped part had (its own or what the outer deadline left). */
  timeout: { timeoutMs: number };
}

/**
 * Bounds the time of what it wraps. Outside a retry it is the overall
 * deadline of the execution, inside it bounds each attempt; either way the
 * deadline is carried down the pipeline: the operation sees it as
 * `context.deadlineAt` and `context.remainingMs()`, retries never sleep past it,
 * and an inner timeout never outlives an outer one. When the time is up the
 * context's signal aborts with, and the execution rejects with,
 * `NINES_RESILIENCE_TIMEOUT` (`details.timeoutMs`).
 *
 * @example
 * const policy = wrap(timeout({ timeoutMs: 2000 }), retry({ idempotent: true }), timeout({ timeoutMs: 500, mode: "cooperative" }));
 * await policy.execute(({ signal, remainingMs }) => db.query(sql, { signal, timeoutMs: remainingMs() }));
 */
export class Timeout implements PipelineStage {
  readonly timeoutMs: number;
  readonly mode: TimeoutMode;
  readonly #clock: Clock;
  /** Built once: the timeout's children all read time from this stage's clock. */
  readonly #childOptions: { readonly clock: Clock };
  readonly #errorStacks: boolean;
  readonly #events = new Events<TimeoutEvents>();
  readonly #deadlines: DeadlineQueue;
  /** Aborts a call's child context when its time is up (shared by every call: no closure per call). */
  readonly #expire = (call: TimedCall): void => {
    const error = this.#timeoutError(call.child as Execution, call.wait);
    call.reject?.(error);
  };
  #alone: Pipeline | undefined;

  constructor(options: TimeoutOptions) {
    requireOption(typeof options === "object" && options !== null, "timeout", "options", options, "an object");
    requireKnownOptions("timeout", options, KNOWN_OPTIONS);
    const timeoutMs = options.timeoutMs;
    requireOption(
      typeof timeoutMs === "number" && Number.isFinite(timeoutMs) && timeoutMs > 0,
      "timeout",
      "timeoutMs",
      timeoutMs,
      "a number > 0",
    );
    const mode = options.mode ?? "aggressive";
    requireOption(
      mode === "aggressive" || mode === "cooperative",
      "timeout",
      "mode",
      mode,
      "aggressive or cooperative",
    );
    this.timeoutMs = timeoutMs;
    this.mode = mode;
    this.#clock = options.clock ?? systemClock;
    this.#childOptions = { clock: this.#clock };
    this.#errorStacks = options.errorStacks !== false;
    this.#deadlines = new DeadlineQueue({ clock: this.#clock });
    forwardFailures(this, (next, context, onFailure) => this.#run(next, context, onFailure));
  }

  on<K extends keyof TimeoutEvents>(type: K, listener: Listener<TimeoutEvents[K]>): Unsubscribe {
    return this.#events.on(type, listener);
  }

  execute<T>(operation: Operation<T>, signal?: AbortSignal, options?: ExecuteOptions): Promise<T> {
    this.#alone ??= new Pipeline([this]);
    return this.#alone.execute(operation, signal, options);
  }

  run<T>(next: (context: ExecutionContext) => Promise<T>, context: ExecutionContext): Promise<T> {
    return this.#run(next, context, undefined);
  }

  #run<T>(
    next: (context: ExecutionContext) => Promise<T>,
    context: ExecutionContext,
    onFailure: ((error: unknown) => Promise<T>) | undefined,
  ): Promise<T> {
    const now = this.#clock.now();
    const child = Execution.of(context).withDeadline(now + this.timeoutMs, this.#childOptions);
    const wait = child.deadlineAt - now;
    if (!(wait > 0)) {
      // The outer deadline has already passed: do not start what cannot finish.
      const error = this.#timeoutError(child, 0);
      child.dispose();
      return onFailure === undefined ? Promise.reject(error) : onFailure(error);
    }
    const call = new TimedCall(child.deadlineAt, child, wait, this.#expire);
    // Watched after the operation started and its continuation was registered: see DeadlineQueue.
    const result =
      this.mode === "aggressive" ? this.#aggressive(next, call, onFailure) : this.#cooperative(next, call, onFailure);
    if (wait === this.timeoutMs && call.deadlineAt >= this.#deadlines.lastDeadlineAt) {
      this.#deadlines.add(call);
    } else {
      // Cut short by an outer deadline (or the clock stepped back): out of order, so a timer of its own.
      call.timer = this.#clock.schedule(wait, () => {
        call.done = true;
        call.expire();
      });
    }
    return result;
  }

  #cooperative<T>(
    next: (context: ExecutionContext) => Promise<T>,
    call: TimedCall,
    onFailure: ((error: unknown) => Promise<T>) | undefined,
  ): Promise<T> {
    return start(next, call.child as Execution).then(
      (value) => {
        this.#settle(call);
        return value;
      },
      (error: unknown) => {
        const child = this.#settle(call);
        const failure = child.aborted ? child.abortError() : error;
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
      start(next, call.child as Execution).then(
        (value) => {
          this.#settle(call);
          resolve(value);
        },
        (error: unknown) => {
          const child = this.#settle(call);
          fail(child.aborted ? child.abortError() : error);
        },
      );
    });
  }

  /** The call finished (in time or not): its deadline is dropped and its context disposed, and returned. */
  #settle(call: TimedCall): Execution {
    if (call.timer !== undefined) {
      call.done = true;
      call.timer.cancel();
    } else if (!call.done) {
      this.#deadlines.settle(call);
    }
    const child = call.child as Execution;
    child.dispose();
    // A settled call may stay linked in the deadline queue behind an older one still running: it then holds
    // nothing of its execution (the context, the promise's settling functions) for as long.
    call.child = undefined;
    call.reject = undefined;
    return child;
  }

  /** Aborts the child with a timeout error and returns the error. */
  #timeoutError(child: Execution, timeoutMs: number): NinesError {
    const error = timeoutError({
      timeoutMs,
      configuredMs: this.timeoutMs,
      mode: this.mode,
      stack: this.#errorStacks,
    });
    child.abort(error);
    if (this.#events.has("timeout")) this.#events.emit("timeout", { timeoutMs });
    return child.abortError() ?? error;
  }
}

/**
 * The error a timeout stage rejects with when the time is up
 * (`NINES_RESILIENCE_TIMEOUT`): `timeoutMs` is the time the wrapped part
 * had (its own, or what an outer deadline left), `configuredMs` the
 * stage's. Exported for code that stands in for a timed call (the
 * simulator's store, which knows when it will answer, gives up at its
 * caller's deadline with exactly this error).
 *
 * @example
 * timeoutError({ timeoutMs: 2000, configuredMs: 2000, mode: "aggressive", stack: false }).details.timeoutMs; // 2000
 */
export function timeoutError(options: {
  timeoutMs: number;
  configuredMs: number;
  mode: TimeoutMode;
  stack?: boolean;
}): ResilienceError {
  const { timeoutMs, configuredMs, mode } = options;
  return new ResilienceError(
    RESILIENCE_ERRORS.timeout,
    `timeout: the operation did not finish within ${timeoutMs} ms (timeoutMs ${configuredMs}, ${mode})`,
    {
      hint: "raise timeoutMs, make the dependency faster, or check the outer deadline that bounds this one",
      details: { timeoutMs, configuredMs, mode },
      stack: options.stack !== false,
    },
  );
}

/**
 * Builds a {@link Timeout}; options are validated here.
 *
 * @example
 * const perAttempt = timeout({ timeoutMs: 300, clock });
 */
export function timeout(options: TimeoutOptions): Timeout {
  return new Timeout(options);
}

/** The time running out and the operation failing may both happen: the continuation runs once. */
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
  /** The context the wrapped part runs in; dropped once the call settled. */
  child: Execution | undefined;
  readonly wait: number;
  readonly #onExpire: (call: TimedCall) => void;
  /** Set when the call has a timer of its own instead of a place in the stage's queue. */
  timer: Timer | undefined = undefined;
  /** Aggressive mode: rejects the stage's promise at once when the time is up. */
  reject: ((error: unknown) => void) | undefined = undefined;

  constructor(deadlineAt: number, child: Execution, wait: number, onExpire: (call: TimedCall) => void) {
    super(deadlineAt);
    this.child = child;
    this.wait = wait;
    this.#onExpire = onExpire;
  }

  expire(): void {
    this.#onExpire(this);
  }
}
