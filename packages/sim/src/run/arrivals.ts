import type { Random } from "@nines/core";
import type { SimClock } from "../engine/sim-clock.js";
import { exponential } from "../random/distributions.js";

/** How the offered load varies over a run: flat at the spec's peak, or a daily curve. */
export type LoadCurve = "flat" | "daily";

/**
 * The share of the spec's peak load offered at a time of day: 1 at noon,
 * 0.1 at midnight, a cosine in between (`0.55 - 0.45 cos(2 pi h / 24)`).
 *
 * @example
 * dailyShare(12); // 1
 * dailyShare(0);  // 0.1
 */
export function dailyShare(hour: number): number {
  return 0.55 - 0.45 * Math.cos((2 * Math.PI * hour) / 24);
}

/** Options of {@link startArrivals}. */
export interface ArrivalOptions {
  clock: SimClock;
  random: Random;
  /** Arrivals per ms at the spec's load. */
  ratePerMs: number;
  /** No arrival at or after this time. */
  endMs: number;
  /** The multiplier of the rate at a time (1: the spec's load). */
  factorAt: (atMs: number) => number;
  /** The largest multiplier `factorAt` gives over the run. */
  peak: number;
  /** True when `factorAt` is always 1: no draw per arrival to thin it. */
  flat: boolean;
  onArrival: () => void;
}

/**
 * An open-loop Poisson stream of arrivals (they do not wait for answers),
 * at a rate that may vary over time: drawn at the peak rate and thinned,
 * each candidate kept with probability `factorAt(t) / peak` (Lewis and
 * Shedler), which gives exactly a Poisson process of rate
 * `ratePerMs x factorAt(t)`.
 *
 * @example
 * startArrivals({ clock, random, ratePerMs: 2, endMs: 60_000, factorAt: () => 1, peak: 1, flat: true, onArrival });
 */
export function startArrivals(options: ArrivalOptions): void {
  const { clock, random, endMs, factorAt, peak, flat, onArrival } = options;
  const gap = exponential(1 / (options.ratePerMs * peak));
  const arrive = (): void => {
    if (flat || random.next() * peak < factorAt(clock.now())) onArrival();
    const next = gap.sample(random);
    if (clock.now() + next < endMs) clock.schedule(next, arrive);
  };
  const first = gap.sample(random);
  if (first < endMs) clock.schedule(first, arrive);
}
