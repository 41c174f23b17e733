import { Events, type Listener, requireKnownOptions, requireOption, type Unsubscribe } from "@nines/core";
import { Execution } from "./execution-context.js";
import { Pipeline } from "./pipeline.js";
import type { ExecuteOptions, ExecutionContext, Operation, PipelineStage } from "./policy.js";

/**
 * Options of {@link fallback}: exactly one of `value` and `fn`.
 *
 * @example
 * const options: FallbackOptions<string[]> = { value: [], isFailure: (e) => !isNinesError(e, OPTION_INVALID) };
 */
export interface FallbackOptions<F> {
  /** The value for the degraded state. */
  value?: F;
  /** Computes the degraded value from the failure (an error, or the value `isFailureResult` accepted). */
  fn?: (failure: { error?: unknown; value?: unknown }, context: ExecutionContext) => F | PromiseLike<F>;
  /** Which errors are failures to replace (default: all). An abort of the execution (caller or outer timeout) is never replaced. */
  isFailure?: (error: unknown) => boolean;
  /** Which values count as failures to replace (default none). */
  isFailureResult?: (value: unknown) => boolean;
}

const KNOWN_OPTIONS = ["value", "fn", "isFailure", "isFailureResult"];

/**
 * Events a fallback emits.
 *
 * @example
 * degraded.on("fallback", () => metrics.degraded.inc());
 */
export interface FallbackEvents {
  /** The fallback replaced a handled failure. */
  fallback: { error?: unknown; value?: unknown };
}

/**
 * Answers with a fallback value (or the result of a function) when what it
 * wraps fails with a handled failure: a degraded but useful answer instead
 * of an error. Unhandled errors and aborts pass through unchanged.
 *
 * @example
 * const recommendations = wrap(
 *   fallback({ value: [], isFailure: (e) => !isNinesError(e, OPTION_INVALID) }),
 *   timeout({ timeoutMs: 200 }),
 * );
 * const items = await recommendations.execute(({ signal }) => recommender.top(user, { signal }));
 */
export class Fallback<F = unknown> implements PipelineStage {
  readonly #hasFn: boolean;
  readonly #value: F | undefined;
  readonly #fn: FallbackOptions<F>["fn"];
  readonly #isFailure: ((error: unknown) => boolean) | undefined;
  readonly #isFailureResult: ((value: unknown) => boolean) | undefined;
  readonly #events = new Events<FallbackEvents>();
  #alone: Pipeline | undefined;

  constructor(options: FallbackOptions<F>) {
    requireOption(typeof options === "object" && options !== null, "fallback", "options", options, "an object");
    requireKnownOptions("fallback", options, KNOWN_OPTIONS);
    const hasValue = "value" in options;
    const hasFn = options.fn !== undefined;
    requireOption(
      hasValue !== hasFn,
      "fallback",
      "value/fn",
      hasValue ? "both" : "neither",
      "exactly one of value and fn",
    );
    requireOption(!hasFn || typeof options.fn === "function", "fallback", "fn", options.fn, "a function");
    for (const name of ["isFailure", "isFailureResult"] as const) {
      const fn = options[name];
      requireOption(fn === undefined || typeof fn === "function", "fallback", name, fn, "a function");
    }
    this.#hasFn = hasFn;
    this.#value = options.value;
    this.#fn = options.fn;
    this.#isFailure = options.isFailure;
    this.#isFailureResult = options.isFailureResult;
  }

  on<K extends keyof FallbackEvents>(type: K, listener: Listener<FallbackEvents[K]>): Unsubscribe {
    return this.#events.on(type, listener);
  }

  /** Note: the result type is `T` for brevity; it is `F` when the fallback answered. */
  execute<T>(operation: Operation<T>, signal?: AbortSignal, options?: ExecuteOptions): Promise<T> {
    this.#alone ??= new Pipeline([this]);
    return this.#alone.execute(operation, signal, options);
  }

  async run<T>(next: (context: ExecutionContext) => Promise<T>, context: ExecutionContext): Promise<T> {
    let value: T;
    try {
      value = await next(context);
    } catch (error) {
      const execution = Execution.of(context);
      if (execution.aborted) throw execution.abortError();
      if (this.#isFailure !== undefined && !this.#isFailure(error)) throw error;
      return this.#answer({ error }, context) as unknown as Promise<T>;
    }
    if (this.#isFailureResult === undefined || !this.#isFailureResult(value)) return value;
    return this.#answer({ value }, context) as unknown as Promise<T>;
  }

  async #answer(failure: { error?: unknown; value?: unknown }, context: ExecutionContext): Promise<F> {
    if (this.#events.has("fallback")) this.#events.emit("fallback", failure);
    if (!this.#hasFn) return this.#value as F;
    return (this.#fn as NonNullable<FallbackOptions<F>["fn"]>)(failure, context);
  }
}

/**
 * Builds a {@link Fallback}; options are validated here.
 *
 * @example
 * const cached = fallback({ fn: ({ error }) => cache.get(key) ?? Promise.reject(error) });
 */
export function fallback<F>(options: FallbackOptions<F>): Fallback<F> {
  return new Fallback(options);
}
