import {
  type Clock,
  Events,
  type Listener,
  requireKnownOptions,
  requireOption,
  systemClock,
  type Timer,
  type Unsubscribe,
} from "@nines/core";
import { RESILIENCE_ERRORS, ResilienceError } from "./errors.js";
import { Execution } from "./execution-context.js";
import { Pipeline } from "./pipeline.js";
import type { ExecuteOptions, ExecutionContext, Operation, PipelineStage, PolicyEnvironment } from "./policy.js";
import { retryableByDefault } from "./retry.js";

/**
 * Options of {@link hedging}.
 *
 * @example
 * const options: HedgingOptions = { delayMs: 50, maxAttempts: 3, idempotent: true };
 */
export interface HedgingOptions extends PolicyEnvironment {
  /** Wait this long (>= 0 ms) for an attempt before starting the next one. */
  delayMs: number;
  /** Attempts in all, INCLUDING the first (default 2: one hedge). */
  maxAttempts?: number;
  /** Failures after which the next attempt starts at once instead of after the delay (default {@link retryableByDefault}); any other error ends the execution. */
  isFailure?: (error: unknown) => boolean;
  /** Whether the operation may run more than once (default false: no hedge). `execute(op, signal, { idempotent })` wins. */
  idempotent?: boolean;
}

const KNOWN_OPTIONS = ["delayMs", "maxAttempts", "isFailure", "idempotent", "clock", "errorStacks"];

/**
 * Events a hedging policy emits.
 *
 * @example
 * hedged.on("hedge", ({ attempt }) => metrics.hedges.inc({ attempt }));
 */
export interface HedgingEvents {
  /** Attempt number `attempt` (2 or more) started; `afterError` when a failure started it rather than the delay. */
  hedge: { attempt: number; afterError: boolean };
  /** Attempt `attempt` won; the others still running were aborted. */
  won: { attempt: number; aborted: number };
}

/**
 * Hedged requests: when an attempt has not answered after `delayMs`, start
 * another one (up to `maxAttempts` in all) and take the first success; the
 * others are aborted (their signal aborts with `NINES_RESILIENCE_ABORTED`).
 * A failure that `isFailure` accepts starts the next attempt at once; when every
 * attempt has failed, the last failure is thrown. Only idempotent operations
 * are hedged; others run once.
 *
 * @example
 * const hedged = hedging({ delayMs: 50, maxAttempts: 3, idempotent: true });
 * const page = await hedged.execute(({ signal }) => fetch(url, { signal }).then((r) => r.text()));
 */
export class Hedging implements PipelineStage {
  readonly delayMs: number;
  readonly maxAttempts: number;
  readonly #clock: Clock;
  readonly #errorStacks: boolean;
  readonly #isFailure: (error: unknown) => boolean;
  readonly #idempotent: boolean;
  readonly #events = new Events<HedgingEvents>();
  #alone: Pipeline | undefined;

  constructor(options: HedgingOptions) {
    requireOption(typeof options === "object" && options !== null, "hedging", "options", options, "an object");
    requireKnownOptions("hedging", options, KNOWN_OPTIONS);
    requireOption(
      typeof options.delayMs === "number" && Number.isFinite(options.delayMs) && options.delayMs >= 0,
      "hedging",
      "delayMs",
      options.delayMs,
      "a number >= 0",
    );
    const max = options.maxAttempts ?? 2;
    requireOption(Number.isInteger(max) && max >= 1, "hedging", "maxAttempts", max, "an integer >= 1");
    requireOption(
      options.isFailure === undefined || typeof options.isFailure === "function",
      "hedging",
      "isFailure",
      options.isFailure,
      "a function",
    );
    this.delayMs = options.delayMs;
    this.maxAttempts = max;
    this.#clock = options.clock ?? systemClock;
    this.#errorStacks = options.errorStacks !== false;
    this.#isFailure = options.isFailure ?? retryableByDefault;
    this.#idempotent = options.idempotent ?? false;
  }

  on<K extends keyof HedgingEvents>(type: K, listener: Listener<HedgingEvents[K]>): Unsubscribe {
    return this.#events.on(type, listener);
  }

  execute<T>(operation: Operation<T>, signal?: AbortSignal, options?: ExecuteOptions): Promise<T> {
    this.#alone ??= new Pipeline([this]);
    return this.#alone.execute(operation, signal, options);
  }

  run<T>(next: (context: ExecutionContext) => Promise<T>, context: ExecutionContext): Promise<T> {
    const execution = Execution.of(context);
    if (this.maxAttempts === 1 || !(execution.idempotent ?? this.#idempotent)) return next(context);
    return new Promise<T>((resolve, reject) => {
      const attempts: Execution[] = [];
      /** Attempts still running. */
      const live = new Set<Execution>();
      let settled = false;
      let timer: Timer | undefined;
      let lastError: unknown;

      /** Ends the execution: aborts the attempts still running (a winner has left `live` already). */
      const finish = () => {
        settled = true;
        timer?.cancel();
        let aborted = 0;
        for (const attempt of live) {
          aborted++;
          attempt.abort(hedgeLost(this.#errorStacks));
        }
        for (const attempt of attempts) attempt.dispose();
        return aborted;
      };
      const start = (afterError: boolean) => {
        timer?.cancel();
        timer = undefined;
        if (execution.aborted) {
          finish();
          reject(execution.abortError());
          return;
        }
        const child = execution.withDeadline(Number.POSITIVE_INFINITY, {
          clock: this.#clock,
          attempt: context.attempt + attempts.length,
        });
        attempts.push(child);
        live.add(child);
        const number = attempts.length;
        if (number > 1 && this.#events.has("hedge")) this.#events.emit("hedge", { attempt: number, afterError });
        if (number < this.maxAttempts) timer = this.#clock.schedule(this.delayMs, () => start(false));
        next(child).then(
          (value) => {
            live.delete(child);
            if (settled) return;
            const aborted = finish();
            if (this.#events.has("won")) this.#events.emit("won", { attempt: number, aborted });
            resolve(value);
          },
          (error: unknown) => {
            live.delete(child);
            if (settled) return;
            if (execution.aborted) {
              finish();
              reject(execution.abortError());
            } else if (!this.#isFailure(error)) {
              finish();
              reject(error);
            } else if (attempts.length < this.maxAttempts) {
              lastError = error;
              start(true);
            } else {
              lastError = error;
              if (live.size === 0) {
                finish();
                reject(lastError);
              }
            }
          },
        );
      };
      start(false);
    });
  }
}

function hedgeLost(stack: boolean): ResilienceError {
  return new ResilienceError(
    RESILIENCE_ERRORS.aborted,
    "hedging: another attempt answered first; this one was aborted",
    {
      hint: "nothing to fix: hedged attempts that lose are aborted on purpose",
      details: { hedgeLost: true },
      stack,
    },
  );
}

/**
 * Builds a {@link Hedging} policy; options are validated here.
 *
 * @example
 * const hedged = hedging({ delayMs: 20, maxAttempts: 2, idempotent: true, clock });
 */
export function hedging(options: HedgingOptions): Hedging {
  return new Hedging(options);
}
