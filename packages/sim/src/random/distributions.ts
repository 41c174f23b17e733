import { type Random, requireOption } from "@nines/core";

/**
 * A distribution of positive durations (service times, think times,
 * inter-arrival gaps) with a known mean, drawn from an injected
 * {@link Random} so that a run replays exactly from its seed.
 *
 * @example
 * const service: Distribution = exponential(2.5);
 * service.mean;                        // 2.5
 * service.sample(new SeededRandom(1)); // one draw, in ms
 */
export interface Distribution {
  /** What it is, for reports ("exponential", "constant", ...). */
  readonly kind: string;
  /** The mean of the draws. */
  readonly mean: number;
  /** One draw (>= 0). */
  sample(random: Random): number;
}

/**
 * Exponential durations with the given mean (a memoryless server, the
 * "M" of M/M/c): `-mean * ln(1 - u)`.
 *
 * @example
 * exponential(1000 / 300); // service of an instance with capacity 300 requests/s, in ms
 */
export function exponential(mean: number): Distribution {
  requireOption(Number.isFinite(mean) && mean > 0, "exponential", "mean", mean, "> 0");
  return {
    kind: "exponential",
    mean,
    // 1 - u is in (0, 1]: the log is finite.
    sample: (random) => -mean * Math.log(1 - random.next()),
  };
}

/**
 * Always the same duration (the "D" of M/D/c).
 *
 * @example
 * constant(5).sample(random); // 5
 */
export function constant(value: number): Distribution {
  requireOption(Number.isFinite(value) && value >= 0, "constant", "value", value, ">= 0");
  return { kind: "constant", mean: value, sample: () => value };
}

/**
 * Uniform durations in [min, max).
 *
 * @example
 * uniform(10, 30).mean; // 20
 */
export function uniform(min: number, max: number): Distribution {
  requireOption(Number.isFinite(min) && min >= 0, "uniform", "min", min, ">= 0");
  requireOption(Number.isFinite(max) && max >= min, "uniform", "max", max, `>= min (${min})`);
  return { kind: "uniform", mean: (min + max) / 2, sample: (random) => min + random.next() * (max - min) };
}

/**
 * Log-normal durations with the given mean and coefficient of variation
 * (standard deviation / mean): the long right tail of real request
 * latencies. With `s^2 = ln(1 + cv^2)` and `m = ln(mean) - s^2 / 2`, a draw
 * is `exp(m + s * z)` for a standard normal `z` (Box-Muller, two uniforms).
 *
 * @example
 * lognormal(10, 1.5).mean; // 10
 */
export function lognormal(mean: number, cv: number): Distribution {
  requireOption(Number.isFinite(mean) && mean > 0, "lognormal", "mean", mean, "> 0");
  requireOption(Number.isFinite(cv) && cv > 0, "lognormal", "cv", cv, "> 0");
  const s = Math.sqrt(Math.log(1 + cv * cv));
  const m = Math.log(mean) - (s * s) / 2;
  return {
    kind: "lognormal",
    mean,
    sample: (random) => {
      const z = Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
      return Math.exp(m + s * z);
    },
  };
}
