import { requireOption } from "@nines/core";
import { abortedError, Execution, invokeOperation } from "./execution-context.js";
import { FORWARDS_FAILURE, forwardingRunOf, type Next } from "./forwarding.js";
import type { ExecuteOptions, ExecutionContext, Operation, PipelineStage } from "./policy.js";

type Step = (context: ExecutionContext) => Promise<unknown>;

/**
 * Starts one execution of a built chain. Without a caller signal this is one
 * object (the root context) and a direct call; with one, the returned promise
 * rejects with `NINES_RESILIENCE_ABORTED` the moment the signal aborts, even
 * if the operation ignores its signal, and an error the chain throws after
 * the abort is reported as that abort.
 *
 * @example
 * const head = (context) => stage.run(invokeOperation, context);
 * await startExecution(head, () => 1, signal, undefined);
 */
export function startExecution<T>(
  head: Step,
  operation: Operation<T>,
  signal: AbortSignal | undefined,
  options: ExecuteOptions | undefined,
): Promise<T> {
  const context = Execution.root(operation as Operation<unknown>, signal, options?.idempotent);
  if (signal === undefined) return head(context) as Promise<T>;
  if (signal.aborted) return Promise.reject(abortedError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = rejectOnAbort(reject, context);
    signal.addEventListener("abort", onAbort, { once: true });
    head(context).then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value as T);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(context.callerAborted ? context.abortError() : error);
      },
    );
  });
}

/** The listener that rejects one execution when its caller's signal aborts. */
function rejectOnAbort(reject: (error: unknown) => void, context: Execution): () => void {
  return () => reject(context.abortError());
}

/**
 * A chain of stages built once: `execute` runs the first stage with the rest
 * of the chain as its `next`, down to the operation. Nothing is normalised
 * or allocated per call beyond the root context (see {@link startExecution}).
 * Build one with {@link wrap}.
 *
 * @example
 * const pipeline = new Pipeline([retry({ idempotent: true }), timeout({ timeoutMs: 200 })]); // same as wrap(...)
 * pipeline.stages.length; // 2
 * await pipeline.execute(({ signal }) => fetch(url, { signal }));
 */
export class Pipeline implements PipelineStage {
  /** The stages, outermost first (nested pipelines are flattened). */
  readonly stages: readonly PipelineStage[];
  readonly #head: Step;

  constructor(stages: readonly PipelineStage[]) {
    const flat: PipelineStage[] = [];
    for (const stage of stages) {
      requireOption(
        typeof stage === "object" && stage !== null && typeof stage.run === "function",
        "wrap",
        "stages",
        stage,
        "pipeline stages (objects with run(next, context))",
      );
      if (stage instanceof Pipeline) flat.push(...stage.stages);
      else flat.push(stage);
    }
    this.stages = Object.freeze(flat);
    let next: Next<unknown> = invokeOperation;
    for (let i = flat.length - 1; i >= 0; i--) {
      const stage = flat[i] as PipelineStage;
      const inner = next;
      const forwarding = forwardingRunOf(stage);
      if (forwarding !== undefined) {
        // A built-in stage: a retry right above hands it its failure continuation (one promise hop for both).
        next = (context, onFailure) => forwarding(inner, context, onFailure);
        next[FORWARDS_FAILURE] = true;
      } else {
        next = (context) => stage.run(inner, context);
      }
    }
    this.#head = next;
  }

  execute<T>(operation: Operation<T>, signal?: AbortSignal, options?: ExecuteOptions): Promise<T> {
    return startExecution(this.#head, operation, signal, options);
  }

  /** Runs the stages around `next` (a pipeline used as a stage of a foreign composition; allocates per call). */
  run<T>(next: (context: ExecutionContext) => Promise<T>, context: ExecutionContext): Promise<T> {
    const stages = this.stages;
    const step = (index: number, current: ExecutionContext): Promise<T> => {
      const stage = stages[index];
      if (stage === undefined) return next(current);
      return stage.run((inner) => step(index + 1, inner), current);
    };
    return step(0, context);
  }
}

/**
 * Composes stages into one pipeline, outermost first, built once and
 * executed many times. Where a stage sits decides what it covers: a timeout
 * outside a retry bounds the whole execution (an overall deadline), inside it
 * bounds each attempt.
 *
 * @example
 * const policy = wrap(
 *   timeout({ timeoutMs: 2000 }),                 // overall deadline
 *   retry({ maxAttempts: 3, idempotent: true }),
 *   circuitBreaker({ window: { kind: "consecutive", failureThreshold: 5 } }),
 *   bulkhead({ maxConcurrent: 10, maxQueue: 20 }),
 *   timeout({ timeoutMs: 500 }),                  // per attempt
 * );
 * const user = await policy.execute(({ signal }) => fetchUser(id, signal), request.signal);
 */
export function wrap(...stages: PipelineStage[]): Pipeline {
  return new Pipeline(stages);
}
