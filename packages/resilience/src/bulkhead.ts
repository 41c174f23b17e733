import { Events, type Listener, requireKnownOptions, requireOption, type Unsubscribe } from "@nines/core";
import { RESILIENCE_ERRORS, ResilienceError } from "./errors.js";
import { Execution } from "./execution-context.js";
import { forwardFailures } from "./forwarding.js";
import { Pipeline } from "./pipeline.js";
import type { ExecuteOptions, ExecutionContext, Operation, PipelineStage } from "./policy.js";

/**
 * Options of {@link bulkhead}.
 *
 * @example
 * const options: BulkheadOptions = { maxConcurrent: 10, maxQueue: 50 };
 */
export interface BulkheadOptions {
  /** Calls that may run at once (an integer >= 1). */
  maxConcurrent: number;
  /** Calls that may wait for a slot, first in first out (default 0: reject at once when all slots are busy). */
  maxQueue?: number;
}

const KNOWN_OPTIONS = ["maxConcurrent", "maxQueue"];

/**
 * Events a bulkhead emits.
 *
 * @example
 * pool.on("rejected", ({ active, queued }) => metrics.bulkheadFull.inc({ active, queued }));
 */
export interface BulkheadEvents {
  /** A call was rejected with NINES_RESILIENCE_BULKHEAD_FULL. */
  rejected: { active: number; queued: number };
  /** A call waits in the queue (`queued` counts it). */
  queued: { queued: number };
  /** A queued call left the queue because its execution was aborted. */
  abandoned: { queued: number };
}

interface Waiter {
  readonly next: (context: ExecutionContext) => Promise<unknown>;
  readonly context: ExecutionContext;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: (() => void) | undefined;
}

/**
 * Limits concurrency: at most `maxConcurrent` calls run; up to `maxQueue`
 * more wait in order; the next one is rejected with
 * `NINES_RESILIENCE_BULKHEAD_FULL`, which breakers never count as a
 * dependency failure and retries do not retry by default. A queued caller
 * whose execution aborts leaves the queue at once.
 *
 * @example
 * const pool = bulkhead({ maxConcurrent: 10, maxQueue: 50 });
 * await pool.execute(({ signal }) => render(page, signal), request.signal);
 */
export class Bulkhead implements PipelineStage {
  readonly maxConcurrent: number;
  readonly maxQueue: number;
  readonly #queue: Waiter[] = [];
  readonly #events = new Events<BulkheadEvents>();
  #active = 0;
  #alone: Pipeline | undefined;

  constructor(options: BulkheadOptions) {
    requireOption(typeof options === "object" && options !== null, "bulkhead", "options", options, "an object");
    requireKnownOptions("bulkhead", options, KNOWN_OPTIONS);
    const max = options.maxConcurrent;
    requireOption(Number.isInteger(max) && max >= 1, "bulkhead", "maxConcurrent", max, "an integer >= 1");
    const queue = options.maxQueue ?? 0;
    // The queue is always bounded: an unbounded one turns overload into unbounded latency and memory.
    requireOption(Number.isInteger(queue) && queue >= 0, "bulkhead", "maxQueue", queue, "an integer >= 0 (a bound)");
    this.maxConcurrent = max;
    this.maxQueue = queue;
    forwardFailures(this, (next, context, onFailure) => this.#run(next, context, onFailure));
  }

  /** Calls running now. */
  get active(): number {
    return this.#active;
  }

  /** Calls waiting for a slot now. */
  get queued(): number {
    return this.#queue.length;
  }

  on<K extends keyof BulkheadEvents>(type: K, listener: Listener<BulkheadEvents[K]>): Unsubscribe {
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
    // A slot is free when active < maxConcurrent; a queue place when queued < maxQueue.
    if (this.#active < this.maxConcurrent) {
      this.#active++;
      return this.#hold(next, context, onFailure);
    }
    if (this.#queue.length < this.maxQueue) {
      const queued = this.#enqueue(next, context);
      return onFailure === undefined ? queued : queued.then(undefined, onFailure);
    }
    if (this.#events.has("rejected"))
      this.#events.emit("rejected", { active: this.#active, queued: this.#queue.length });
    const full = new ResilienceError(
      RESILIENCE_ERRORS.bulkheadFull,
      `bulkhead: ${this.#active} ${this.#active === 1 ? "call" : "calls"} running (maxConcurrent ${this.maxConcurrent}) and ${this.#queue.length} queued (maxQueue ${this.maxQueue}); call rejected`,
      {
        hint: "raise maxConcurrent or maxQueue if the dependency can take it, or shed load before this point",
        details: { maxConcurrent: this.maxConcurrent, maxQueue: this.maxQueue },
      },
    );
    return onFailure === undefined ? Promise.reject(full) : onFailure(full);
  }

  #hold<T>(
    next: (context: ExecutionContext) => Promise<T>,
    context: ExecutionContext,
    onFailure?: (error: unknown) => Promise<T>,
  ): Promise<T> {
    let pending: Promise<T>;
    try {
      pending = next(context);
    } catch (error) {
      pending = Promise.reject(error);
    }
    // Handlers bound once per bulkhead: no closure per call (but for a retry's continuation).
    if (onFailure === undefined) return pending.then(this.#releaseValue, this.#releaseError) as Promise<T>;
    return pending.then(this.#releaseValue, (error: unknown) => {
      this.#release();
      return onFailure(error);
    }) as Promise<T>;
  }

  readonly #releaseValue = <T>(value: T): T => {
    this.#release();
    return value;
  };

  readonly #releaseError = (error: unknown): never => {
    this.#release();
    throw error;
  };

  /** Hands the freed slot to the first waiter, or frees it. */
  #release(): void {
    const waiter = this.#queue.shift();
    if (waiter === undefined) {
      this.#active--;
      return;
    }
    if (waiter.onAbort !== undefined) waiter.signal?.removeEventListener("abort", waiter.onAbort);
    this.#hold(waiter.next, waiter.context).then(waiter.resolve, waiter.reject);
  }

  #enqueue<T>(next: (context: ExecutionContext) => Promise<T>, context: ExecutionContext): Promise<T> {
    const execution = Execution.of(context);
    return new Promise<T>((resolve, reject) => {
      let waiter: Waiter;
      if (execution.abortable) {
        const signal = context.signal;
        if (signal.aborted) {
          reject(execution.abortError() ?? signal.reason);
          return;
        }
        const onAbort = () => {
          const index = this.#queue.indexOf(waiter);
          if (index >= 0) this.#queue.splice(index, 1);
          if (this.#events.has("abandoned")) this.#events.emit("abandoned", { queued: this.#queue.length });
          reject(execution.abortError() ?? signal.reason);
        };
        waiter = { next, context, resolve: resolve as (value: unknown) => void, reject, signal, onAbort };
        signal.addEventListener("abort", onAbort, { once: true });
      } else {
        waiter = {
          next,
          context,
          resolve: resolve as (value: unknown) => void,
          reject,
          signal: undefined,
          onAbort: undefined,
        };
      }
      this.#queue.push(waiter);
      if (this.#events.has("queued")) this.#events.emit("queued", { queued: this.#queue.length });
    });
  }
}

/**
 * Builds a {@link Bulkhead}; options are validated here.
 *
 * @example
 * const pool = bulkhead({ maxConcurrent: 4, maxQueue: 8 });
 */
export function bulkhead(options: BulkheadOptions): Bulkhead {
  return new Bulkhead(options);
}
