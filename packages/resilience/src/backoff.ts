import { type Random, requireKnownOptions, requireOption, systemRandom } from "@nines/core";

/**
 * How a backoff spreads its delays; see {@link exponentialBackoff}.
 *
 * @example
 * const jitter: Jitter = "full";
 */
export type Jitter = "none" | "full" | "equal" | "decorrelated";

/**
 * A backoff: the delay before each retry. A tiny interface so that any
 * schedule can drive {@link retry}.
 *
 * @example
 * const fixed: Backoff = { delayMs: () => 250 };
 */
export interface Backoff {
  /**
   * The delay in ms before retry number `retry` (1 = the first retry, that is
   * the second attempt). `previousMs` is the delay this backoff returned for
   * the retry before (0 before the first retry).
   */
  delayMs(retry: number, previousMs: number): number;
}

/**
 * Options of {@link exponentialBackoff}.
 *
 * @example
 * const options: ExponentialBackoffOptions = { initialDelayMs: 100, maxDelayMs: 5000, jitter: "equal" };
 */
export interface ExponentialBackoffOptions {
  /** The delay before the first retry, before jitter (default 100 ms). */
  initialDelayMs?: number;
  /** Growth per retry (default 2; 1 gives a constant delay). Not used by decorrelated jitter, which uses 3. */
  multiplier?: number;
  /** The truncation: no delay is ever longer (default 30000 ms). */
  maxDelayMs?: number;
  /** Default "full". */
  jitter?: Jitter;
  /** Where the jitter comes from (default the system random; tests pass a SeededRandom). */
  random?: Random;
}

const JITTERS: readonly Jitter[] = ["none", "full", "equal", "decorrelated"];
/** The keys of {@link ExponentialBackoffOptions} (retry checks its `backoff` option against them too). */
export const EXPONENTIAL_BACKOFF_OPTIONS: readonly string[] = [
  "initialDelayMs",
  "multiplier",
  "maxDelayMs",
  "jitter",
  "random",
];

/**
 * Truncated exponential backoff with the jitters of the AWS Architecture Blog
 * article "Exponential Backoff and Jitter". With `d = min(maxDelayMs,
 * initialDelayMs * multiplier^(retry - 1))` and `r` uniform in [0, 1):
 *
 * - `none`: `d`
 * - `full`: `r * d`, in [0, d)
 * - `equal`: `d / 2 + r * d / 2`, in [d/2, d)
 * - `decorrelated`: `min(maxDelayMs, initialDelayMs + r * (3 * previous - initialDelayMs))`,
 *   with `previous` the last delay (initialDelayMs before the first retry), so in
 *   [initialDelayMs, 3 * previous) truncated at maxDelayMs.
 *
 * Every delay is within [0, maxDelayMs].
 *
 * @example
 * const backoff = exponentialBackoff({ initialDelayMs: 100, maxDelayMs: 10_000, jitter: "full", random: new SeededRandom(7) });
 * backoff.delayMs(1, 0);   // in [0, 100)
 * backoff.delayMs(4, 0);   // in [0, 800)
 * backoff.delayMs(20, 0);  // in [0, 10000)
 */
export function exponentialBackoff(options: ExponentialBackoffOptions = {}): Backoff {
  requireOption(typeof options === "object" && options !== null, "exponentialBackoff", "options", options, "an object");
  requireKnownOptions("exponentialBackoff", options, EXPONENTIAL_BACKOFF_OPTIONS);
  const initial = options.initialDelayMs ?? 100;
  const multiplier = options.multiplier ?? 2;
  const max = options.maxDelayMs ?? 30_000;
  const jitter = options.jitter ?? "full";
  const random = options.random ?? systemRandom;
  requireOption(
    isFiniteNumber(initial) && initial >= 0,
    "exponentialBackoff",
    "initialDelayMs",
    initial,
    "a number >= 0",
  );
  requireOption(
    isFiniteNumber(multiplier) && multiplier >= 1,
    "exponentialBackoff",
    "multiplier",
    multiplier,
    "a number >= 1",
  );
  requireOption(
    isFiniteNumber(max) && max >= initial,
    "exponentialBackoff",
    "maxDelayMs",
    max,
    "a finite number >= initialDelayMs",
  );
  requireOption(JITTERS.includes(jitter), "exponentialBackoff", "jitter", jitter, "none, full, equal or decorrelated");
  requireOption(typeof random?.next === "function", "exponentialBackoff", "random", random, "a Random");

  const truncated = (retry: number): number => {
    // 0 * Infinity would be NaN: a zero initial delay stays zero.
    const d = initial === 0 ? 0 : initial * multiplier ** (retry - 1);
    // An overflow to Infinity (or a huge retry number) is truncated too.
    return Math.min(d, max);
  };
  switch (jitter) {
    case "none":
      return { delayMs: (retry) => truncated(retry) };
    case "full":
      return { delayMs: (retry) => random.next() * truncated(retry) };
    case "equal":
      return {
        delayMs: (retry) => {
          const d = truncated(retry);
          const delay = d / 2 + (random.next() * d) / 2;
          // Rounding (with tiny subnormal delays) must not push it past d.
          return Math.min(delay, d);
        },
      };
    default:
      return {
        delayMs: (_retry, previousMs) => {
          const previous = Math.max(previousMs, initial);
          const d = initial + random.next() * (previous * 3 - initial);
          return Math.min(d, max);
        },
      };
  }
}

/**
 * The same delay before every retry.
 *
 * @example
 * retry({ maxAttempts: 5, backoff: constantBackoff(200), idempotent: true });
 */
export function constantBackoff(delayMs: number): Backoff {
  requireOption(isFiniteNumber(delayMs) && delayMs >= 0, "constantBackoff", "delayMs", delayMs, "a finite number >= 0");
  return { delayMs: () => delayMs };
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}
