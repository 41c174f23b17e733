import { requireOption, SeededRandom } from "@nines/core";
import type { Topology } from "../topology/topology.js";
import { type ComponentModel, mergeModels } from "./component-model.js";
import { exactAvailability } from "./exact.js";
import type { FailureDomains } from "./failure-domains.js";
import { sampleAvailability } from "./monte-carlo.js";

/**
 * Above this many zones a journey is sampled, not enumerated (docs/planner-model.md, "Exact or sampled").
 *
 * @example
 * journeyZones.length > MAX_EXACT_ZONES; // true: Monte Carlo
 */
export const MAX_EXACT_ZONES = 20;

export interface EstimateOptions {
  /** Monte Carlo samples (default 1e6). */
  samples?: number;
  /** Monte Carlo seed (default 1); every estimate starts its own `SeededRandom(seed)`. */
  seed?: number;
  /** `auto` (default): exact up to 20 zones, sampled above; `monte-carlo` samples always (to compare). */
  method?: "auto" | "monte-carlo";
  /**
   * Compute exactly, whatever the zone count, when the components reduce to
   * one zone-dependent factor (one service or store alone, or components on
   * identical zones): its up-zone count distribution is cheap at any size.
   * Used for standalone component figures; journeys keep the spec's rule.
   */
  exactWhenSingleFactor?: boolean;
}

export interface Estimate {
  availability: number;
  method: "exact" | "monte-carlo";
  samples?: number;
  ci95?: [number, number];
  /** Global zone indices the components use, ascending. */
  zones: number[];
  /** Joint zone states summed over (exact) or distinct states met (sampled). */
  states: number;
  /** Exact: terminal states actually evaluated (fewer than `states` when a down component prunes a subtree). */
  visited?: number;
}

/** Rounding can leave a sum of probabilities a hair outside [0, 1] (-2.2e-16): an availability never is. */
function clamp(availability: number): number {
  return Math.min(1, Math.max(0, availability));
}

/**
 * The failure model of a spec's platform.
 *
 * @example
 * failureDomains(new Topology(spec)).zone; // 0.999
 */
export function failureDomains(topology: Topology): FailureDomains {
  const a = topology.spec.platform.availability;
  return { region: a.region, zone: a.zone, zoneRegion: topology.zoneRegion };
}

/**
 * The most Monte Carlo samples an estimate takes: 10x the default, a few
 * seconds per journey on a spec whose zones fail often; a larger count would
 * sample for minutes to hours (it is checked, not silently capped).
 */
export const MAX_SAMPLES = 10_000_000;

/**
 * Availability of a set of components that must all be up (a journey, or
 * one component alone), exact or sampled as docs/planner-model.md says.
 *
 * @example
 * const models = topology.journeyComponents(journey).map((n) => componentModel(topology, topology.component(n)));
 * estimateAvailability(models, failureDomains(topology)).availability;
 */
export function estimateAvailability(
  models: ComponentModel[],
  domains: FailureDomains,
  options: EstimateOptions = {},
): Estimate {
  const samples = options.samples ?? 1_000_000;
  const seed = options.seed ?? 1;
  requireOption(
    Number.isInteger(samples) && samples >= 2 && samples <= MAX_SAMPLES,
    "analyze",
    "samples",
    samples,
    `an integer from 2 to ${MAX_SAMPLES}`,
  );
  requireOption(Number.isInteger(seed), "analyze", "seed", seed, "an integer");
  const { constant, factors } = mergeModels(models);
  const zones = [...new Set(factors.flatMap((f) => f.zones))].sort((a, b) => a - b);
  const single = options.exactWhenSingleFactor === true && factors.length <= 1;
  const sample = options.method === "monte-carlo" || (zones.length > MAX_EXACT_ZONES && !single);
  if (!sample) {
    const r = exactAvailability(factors, domains);
    return {
      availability: clamp(constant * r.availability),
      method: "exact",
      zones,
      states: r.states,
      visited: r.visited,
    };
  }
  const r = sampleAvailability(factors, domains, samples, new SeededRandom(seed));
  return {
    availability: clamp(constant * r.availability),
    method: "monte-carlo",
    samples,
    ci95: [clamp(constant * r.ci95[0]), clamp(constant * r.ci95[1])],
    zones,
    states: r.distinctStates,
  };
}
