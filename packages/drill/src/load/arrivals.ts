import type { Random } from "@nines/core";

/** How arrivals are spaced: `fixed` (evenly) or `poisson` (exponential gaps, as independent users arrive). */
export type ArrivalProcess = "fixed" | "poisson";

/**
 * The time of the next arrival after `previousAt` at `rate` per second.
 *
 * @example
 * nextArrival(1000, 10, "fixed", random);   // 1100
 * nextArrival(1000, 10, "poisson", random); // 1000 + an exponential gap of mean 100 ms
 */
export function nextArrival(previousAt: number, rate: number, process: ArrivalProcess, random: Random): number {
  const meanMs = 1000 / rate;
  if (process === "fixed") return previousAt + meanMs;
  return previousAt - Math.log(1 - random.next()) * meanMs;
}
