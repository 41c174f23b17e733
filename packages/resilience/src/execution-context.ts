import { type Clock, isNinesError, type NinesError } from "@nines/core";
import { RESILIENCE_ERRORS, ResilienceError } from "./errors.js";
import type { ExecutionContext, Operation } from "./policy.js";

/** A signal that never aborts, shared by every execution that has no caller signal and nothing that can abort it. */
const NEVER: AbortSignal = new AbortController().signal;

/**
 * The error a caller's abort turns into: `NINES_RESILIENCE_ABORTED` with the
 * signal's reason as the cause. Distinct from a timeout on purpose: a caller
 * that gave up is not a failing dependency.
 *
 * @example
 * const controller = new AbortController();
 * controller.abort();
 * abortedError(controller.signal).code; // "NINES_RESILIENCE_ABORTED"
 */
export function abortedError(signal: AbortSignal): ResilienceError {
  return new ResilienceError(RESILIENCE_ERRORS.aborted, "resilience: the caller aborted the execution", {
    hint: "nothing to fix if the abort was intended; otherwise check who aborts the signal passed to execute()",
    cause: signal.reason,
  });
}

/**
 * The one concrete {@link ExecutionContext} of nines pipelines. Built once per
 * `execute` (the root) and derived by stages that change the attempt, the
 * deadline or need to abort their part of the work. It is cheap on purpose:
 * no AbortController exists until somebody reads `signal` of a context that
 * can be aborted on its own, and an execution without a caller signal hands
 * out one shared signal that never aborts.
 *
 * Stages that need more than the public interface call {@link Execution.of}
 * on the context they receive (contexts made elsewhere are adopted).
 *
 * @example
 * const root = Execution.root(() => 42, undefined, undefined);
 * const child = root.withDeadline(clock.now() + 500, { clock }); // can abort on its own
 * child.abort(new ResilienceError(RESILIENCE_ERRORS.timeout, "too slow"));
 * child.signal.aborted; // true
 * root.signal.aborted;  // false
 * child.dispose();
 */
export class Execution implements ExecutionContext {
  readonly attempt: number;
  readonly deadlineAt: number;
  /** Per-execute idempotency: undefined when the caller did not say (policies then use their own option). */
  readonly idempotent: boolean | undefined;
  /** The user's operation; the innermost step of a pipeline calls it. */
  readonly operation: Operation<unknown>;
  readonly #clock: Clock | undefined;
  readonly #parent: Execution | undefined;
  /** Root only: the caller's signal. */
  readonly #callerSignal: AbortSignal | undefined;
  /** Root adopted from a foreign context: its `remainingMs()` is asked. */
  readonly #foreign: ExecutionContext | undefined;
  /** True when a stage may abort this context without aborting its parent. */
  readonly #own: boolean;
  #controller: AbortController | undefined = undefined;
  #parentSignal: AbortSignal | undefined = undefined;
  #onParentAbort: (() => void) | undefined = undefined;
  #reason: NinesError | undefined = undefined;

  private constructor(
    operation: Operation<unknown>,
    parent: Execution | undefined,
    callerSignal: AbortSignal | undefined,
    own: boolean,
    attempt: number,
    deadlineAt: number,
    clock: Clock | undefined,
    idempotent: boolean | undefined,
    foreign: ExecutionContext | undefined,
  ) {
    this.operation = operation;
    this.#parent = parent;
    this.#callerSignal = callerSignal;
    this.#own = own;
    this.attempt = attempt;
    this.deadlineAt = deadlineAt;
    this.#clock = clock;
    this.idempotent = idempotent;
    this.#foreign = foreign;
  }

  /** The context of one `execute`: attempt 1, no deadline. */
  static root(
    operation: Operation<unknown>,
    signal: AbortSignal | undefined,
    idempotent: boolean | undefined,
  ): Execution {
    return new Execution(
      operation,
      undefined,
      signal,
      false,
      1,
      Number.POSITIVE_INFINITY,
      undefined,
      idempotent,
      undefined,
    );
  }

  /** The context itself when it is an {@link Execution}, else an adopted copy (signal, attempt, deadlineAt kept). */
  static of(context: ExecutionContext): Execution {
    if (context instanceof Execution) return context;
    return new Execution(
      unreachableOperation,
      undefined,
      context.signal,
      false,
      context.attempt,
      context.deadlineAt,
      undefined,
      undefined,
      context,
    );
  }

  get signal(): AbortSignal {
    if (this.#controller !== undefined) return this.#controller.signal;
    if (!this.#own) {
      if (this.#parent !== undefined) return this.#parent.signal;
      return this.#callerSignal ?? NEVER;
    }
    const controller = new AbortController();
    this.#controller = controller;
    if (this.#reason !== undefined) {
      controller.abort(this.#reason);
      return controller.signal;
    }
    const parentSignal = (this.#parent as Execution).signal;
    if (parentSignal.aborted) {
      controller.abort(parentSignal.reason);
    } else if (parentSignal !== NEVER) {
      const onAbort = follow(controller, parentSignal);
      parentSignal.addEventListener("abort", onAbort, { once: true });
      this.#parentSignal = parentSignal;
      this.#onParentAbort = onAbort;
    }
    return controller.signal;
  }

  /** True when this context, or anything above it (a timeout, the caller), aborted. Reads no signal. */
  get aborted(): boolean {
    if (this.#reason !== undefined) return true;
    if (this.#parent !== undefined) return this.#parent.aborted;
    return this.#callerSignal?.aborted === true;
  }

  /**
   * The error an execution stopped by an abort rejects with: the stage's
   * reason (for example a timeout) or, for the caller's abort,
   * `NINES_RESILIENCE_ABORTED`. Undefined while not aborted.
   */
  abortError(): NinesError | undefined {
    if (this.#reason !== undefined) return this.#reason;
    if (this.#parent !== undefined) return this.#parent.abortError();
    const signal = this.#callerSignal;
    if (signal === undefined || !signal.aborted) return undefined;
    // An adopted context's signal may already carry a nines reason (a timeout): keep it.
    if (this.#foreign !== undefined && isNinesError(signal.reason)) return signal.reason;
    this.#reason = abortedError(signal);
    return this.#reason;
  }

  /** False when nothing can ever abort this context (no caller signal, no timeout or hedge above): waits need no signal. */
  get abortable(): boolean {
    if (this.#own) return true;
    if (this.#parent !== undefined) return this.#parent.abortable;
    return this.#callerSignal !== undefined;
  }

  /** True when the caller (not a timeout or a hedge) aborted this execution. */
  get callerAborted(): boolean {
    if (this.#parent !== undefined) return this.#parent.callerAborted;
    return this.#callerSignal?.aborted === true;
  }

  /**
   * Milliseconds left until `deadlineAt`. A getter that returns a function so
   * that `({ remainingMs }) => remainingMs()` works too; built only when read.
   */
  get remainingMs(): () => number {
    return () => this.#remainingMs();
  }

  #remainingMs(): number {
    if (this.deadlineAt === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
    if (this.#clock === undefined) {
      // An adopted context (or a retry's attempt below one) asks the context it came from.
      if (this.#foreign !== undefined) return this.#foreign.remainingMs();
      return this.#parent === undefined ? 0 : this.#parent.#remainingMs();
    }
    const left = this.deadlineAt - this.#clock.now();
    return Math.max(left, 0);
  }

  /** Same signal and deadline, another attempt number (retries). */
  withAttempt(attempt: number): Execution {
    return new Execution(
      this.operation,
      this,
      undefined,
      false,
      attempt,
      this.deadlineAt,
      this.#clock,
      this.idempotent,
      undefined,
    );
  }

  /**
   * A child that can be aborted on its own (timeouts, hedges), with the
   * earlier of its parent's deadline and `deadlineAt`; `options.clock` reads
   * the time left, `options.attempt` (default: this one's) numbers a hedge.
   * Call {@link dispose} when the child's work is over.
   */
  withDeadline(deadlineAt: number, options: { clock: Clock; attempt?: number }): Execution {
    const { clock, attempt = this.attempt } = options;
    const earlier = deadlineAt < this.deadlineAt;
    return new Execution(
      this.operation,
      this,
      undefined,
      true,
      attempt,
      earlier ? deadlineAt : this.deadlineAt,
      earlier || this.#clock === undefined ? clock : this.#clock,
      this.idempotent,
      undefined,
    );
  }

  /** Aborts this child (and its own signal, if one was handed out) with `reason`. Only for `withDeadline` children. */
  abort(reason: NinesError): void {
    if (!this.#own || this.#reason !== undefined) return;
    this.#reason = reason;
    this.#detach();
    this.#controller?.abort(reason);
  }

  /** Removes the listener this child put on its parent's signal. Harmless to call twice. */
  dispose(): void {
    this.#detach();
  }

  #detach(): void {
    if (this.#onParentAbort === undefined) return;
    (this.#parentSignal as AbortSignal).removeEventListener("abort", this.#onParentAbort);
    this.#onParentAbort = undefined;
    this.#parentSignal = undefined;
  }
}

/** The listener that makes a child's controller follow its parent's signal. */
function follow(controller: AbortController, signal: AbortSignal): () => void {
  return () => controller.abort(signal.reason);
}

/** An adopted context has no operation: only a pipeline's own contexts carry one. */
function unreachableOperation(): never {
  throw new ResilienceError(
    RESILIENCE_ERRORS.foreignContext,
    "resilience: the innermost step of a pipeline got a context that no pipeline made, so it has no operation to call",
    {
      hint: "a custom stage must pass to next() the context it received, or one derived with Execution.of(context).withAttempt() or .withDeadline()",
    },
  );
}

/**
 * The innermost step of every pipeline (internal): calls the context's
 * operation and always returns a promise (a thrown error becomes a rejection).
 *
 * @example
 * await stage.run(invokeOperation, Execution.root(() => fetchThing(), undefined, undefined));
 */
export function invokeOperation(context: ExecutionContext): Promise<unknown> {
  try {
    const result = (context as Execution).operation(context);
    return result instanceof Promise ? result : Promise.resolve(result);
  } catch (error) {
    return Promise.reject(error);
  }
}
